"""The explicit list of spiders, by the name a source's config asks for."""

from __future__ import annotations

from spiders.spiders.base import ListenerSpider
from spiders.spiders.bilibili import BilibiliSpider
from spiders.spiders.generic import GenericSpider
from spiders.spiders.jsonl import JsonlSpider
from spiders.spiders.rss import RssSpider
from spiders.spiders.tieba import TiebaSpider
from spiders.spiders.weibo import WeiboSpider
from spiders.spiders.weibo_html import WeiboHtmlSpider
from spiders.spiders.zhihu import ZhihuSpider

SPIDERS: dict[str, type[ListenerSpider]] = {
    spider.name: spider
    for spider in (
        JsonlSpider,
        WeiboSpider,
        WeiboHtmlSpider,
        ZhihuSpider,
        BilibiliSpider,
        TiebaSpider,
        RssSpider,
        GenericSpider,
    )
}


def spider_class(name: str) -> type[ListenerSpider]:
    try:
        return SPIDERS[name]
    except KeyError:
        raise KeyError(f"no spider named {name!r} (known: {', '.join(sorted(SPIDERS))})") from None
