"""What every source shares: a name, an interval, a timeout, a page limit."""

from __future__ import annotations

from abc import abstractmethod
from datetime import timedelta
from typing import Any

from pydantic import Field

from listener.config.types import Name, PositiveDuration, Section


class SourceConfig(Section):
    name: Name
    """Unique; used in logs, metrics, ``listener crawl NAME`` and the mention's ``source``."""
    enabled: bool = True
    interval: PositiveDuration = timedelta(minutes=10)
    timeout: PositiveDuration = timedelta(minutes=10)
    """A crawl running longer is killed; what it already spooled is kept."""
    page_limit: int = Field(default=5, ge=1)
    """Stop paging after this many pages even when no already-seen post was reached."""

    @property
    @abstractmethod
    def spider(self) -> str:
        """The name of the Scrapy spider that collects this source."""

    @abstractmethod
    def spider_options(self) -> dict[str, Any]:
        """The options handed to the spider, as JSON-serialisable values."""

    def platforms(self) -> tuple[str, ...]:
        """The platforms this source collects, when known: while it is down their counts
        are gaps, not zeros. Empty when it cannot be known (a feed of any platform)."""
        return ()

    def tracked_threads(self) -> tuple[int, timedelta]:
        """How many recent negative threads this source re-visits per crawl, and how far
        back "recent" reaches (0: none)."""
        return 0, timedelta(0)
