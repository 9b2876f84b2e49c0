"""The explicit list of spiders, by the name a source's config asks for."""

from __future__ import annotations

from spiders.spiders.base import ListenerSpider
from spiders.spiders.jsonl import JsonlSpider

SPIDERS: dict[str, type[ListenerSpider]] = {
    JsonlSpider.name: JsonlSpider,
}


def spider_class(name: str) -> type[ListenerSpider]:
    try:
        return SPIDERS[name]
    except KeyError:
        raise KeyError(f"no spider named {name!r} (known: {', '.join(sorted(SPIDERS))})") from None
