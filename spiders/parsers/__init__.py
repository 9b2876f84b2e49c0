"""Response parsers, one per platform: pure functions from a body to mentions.

Each platform spider names its parser (``parse_body``); ``PARSERS`` is derived from the
spider registry, plus the parsers that no spider uses yet (``python -m spiders.parse``,
the conformance tests and the benchmarks read every one).
"""

from __future__ import annotations

from functools import cache

from spiders.parsers.base import Parser


@cache
def parsers() -> dict[str, Parser]:
    """Every parser by platform (read on first use: the spiders import their parsers)."""
    from spiders.parsers import xiaohongshu
    from spiders.registry import SPIDERS
    from spiders.spiders.platform import PlatformSpider

    found: dict[str, Parser] = {
        spider.name: spider.parse_body for spider in SPIDERS if issubclass(spider, PlatformSpider)
    }
    return {**found, "xiaohongshu": xiaohongshu.parse}


def parser_for(platform: str) -> Parser:
    try:
        return parsers()[platform]
    except KeyError:
        known = ", ".join(sorted(parsers()))
        raise KeyError(f"no parser for {platform!r} (known: {known})") from None
