"""The sources shipped with Listener: one spider per platform, the only list of them
(``platform:`` in a ``sources:`` entry). Each spider declares its options model."""

from __future__ import annotations

from typing import Any

from listener.plugin import Registry
from spiders.spiders.base import ListenerSpider
from spiders.spiders.bilibili import BilibiliSpider
from spiders.spiders.generic import GenericSpider
from spiders.spiders.jsonl import JsonlSpider
from spiders.spiders.rss import RssSpider
from spiders.spiders.tieba import TiebaSpider
from spiders.spiders.weibo import WeiboSpider
from spiders.spiders.weibo_html import WeiboHtmlSpider
from spiders.spiders.zhihu import ZhihuSpider

SPIDERS: Registry[ListenerSpider[Any]] = Registry(
    "source platform",
    ListenerSpider,
    "platform",
    [
        JsonlSpider,
        WeiboSpider,
        WeiboHtmlSpider,
        ZhihuSpider,
        BilibiliSpider,
        TiebaSpider,
        RssSpider,
        GenericSpider,
    ],
)
