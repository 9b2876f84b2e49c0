"""The crawl subprocess's input: everything one crawl needs, handed over on standard input.

``options`` is the source's own options model (the platform's, a tagged union by
``platform``), exactly as the daemon validated it; the crawl reads it as attributes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, create_model

from listener.domain import CrawlBrand, TrackedThread, UtcDatetime
from spiders.options import REVEAL, SourceOptions
from spiders.registry import SPIDERS

if TYPE_CHECKING:
    SourceConfigs = SourceOptions
else:
    SourceConfigs = SPIDERS.config_union()


class CrawlSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    options: SourceConfigs
    """The source's platform options, validated by the daemon's config model."""
    brands: tuple[CrawlBrand, ...]
    spool_path: str
    cursor: str | None = None
    page_limit: int = 5
    log_level: str = "WARNING"
    tracked: tuple[TrackedThread, ...] = ()
    """Threads to re-visit (recent negative threads with the most engagement)."""
    clock: UtcDatetime | None = None
    """The time this crawl happens at, when it is not now: a simulated clock (``listener
    demo``). Mentions are collected at it and relative stamps are read against it."""

    @property
    def spider(self) -> str:
        return self.options.platform

    def to_json(self) -> str:
        """The spec as the crawl reads it: the cookie included (it goes to a pipe only)."""
        return self.model_dump_json(context={REVEAL: True})

    @classmethod
    def from_json(cls, text: str | bytes) -> CrawlSpec:
        """Read a spec; a source plugin named by import path is imported first."""
        return spec_model(_platform_of(text)).model_validate_json(text)


def _platform_of(text: str | bytes) -> str:
    import json

    try:
        raw: Any = json.loads(text)
        platform = raw["options"]["platform"]
    except (ValueError, KeyError, TypeError):
        return ""
    return platform if isinstance(platform, str) else ""


@lru_cache(maxsize=8)
def spec_model(platform: str) -> type[CrawlSpec]:
    """CrawlSpec, or a subclass whose options also hold the source plugin ``platform``
    names by import path (``acme.spiders:ForumSpider``)."""
    if platform in SPIDERS.names or ":" not in platform:
        return CrawlSpec
    union = SPIDERS.config_union([platform])
    model: type[CrawlSpec] = create_model(
        "CrawlSpec",
        __base__=CrawlSpec,
        options=(union, ...),
    )
    return model
