"""Response parsers, one per platform: pure functions from a body to mentions."""

from __future__ import annotations

from spiders.parsers import bilibili, generic, rss, tieba, weibo, weibo_html, xiaohongshu, zhihu
from spiders.parsers.base import Parser

PARSERS: dict[str, Parser] = {
    "weibo": weibo.parse,
    "weibo_html": weibo_html.parse,
    "zhihu": zhihu.parse,
    "bilibili": bilibili.parse,
    "tieba": tieba.parse,
    "rss": rss.parse,
    "xiaohongshu": xiaohongshu.parse,
    "generic": generic.parse,
}


def parser_for(platform: str) -> Parser:
    try:
        return PARSERS[platform]
    except KeyError:
        known = ", ".join(sorted(PARSERS))
        raise KeyError(f"no parser for {platform!r} (known: {known})") from None
