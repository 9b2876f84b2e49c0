"""Response parsers, one per platform: pure functions from a body to mentions.

Each platform spider names its parser (``parse_body``); ``PARSERS`` is derived from the
spider registry, plus the parsers that no spider uses yet (``python -m spiders.parse``,
the conformance tests and the benchmarks read every one).
"""

from __future__ import annotations

from functools import cache, wraps

from spiders.parsers.base import Page, ParseContext, Parser, Unparseable


@cache
def parsers() -> dict[str, Parser]:
    """Every parser by platform (read on first use: the spiders import their parsers)."""
    from spiders.parsers import xiaohongshu
    from spiders.registry import SPIDERS
    from spiders.spiders.platform import PlatformSpider

    found: dict[str, Parser] = {
        spider.name: spider.parse_body for spider in SPIDERS if issubclass(spider, PlatformSpider)
    }
    return {
        name: shape_checked(name, parse)
        for name, parse in {**found, "xiaohongshu": xiaohongshu.parse}.items()
    }


SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError, RecursionError)


def shape_checked(platform: str, parse: Parser) -> Parser:
    """``parse``, with a body of a shape it does not expect (``{"cards": true}``, a string
    where a list belongs) refused as :class:`Unparseable` in one line instead of a
    traceback. (In a crawl, the spider costs such a page and logs the traceback.)"""

    @wraps(parse)
    def checked(body: bytes, ctx: ParseContext) -> Page:
        try:
            return parse(body, ctx)
        except Unparseable:
            raise
        except SHAPE_ERRORS as exc:
            detail = " ".join(str(exc).split())[:120]
            raise Unparseable(
                f"not a {platform} body this parser reads ({type(exc).__name__}: {detail})"
            ) from None

    return checked


def parser_for(platform: str) -> Parser:
    try:
        return parsers()[platform]
    except KeyError:
        known = ", ".join(sorted(parsers()))
        raise KeyError(f"no parser for {platform!r} (known: {known})") from None
