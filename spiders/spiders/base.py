"""What every listener spider shares: its options model, the crawl spec, error counting,
health, cursor.

A spider is the source plugin of its platform: ``Config`` is its options model, whose
``platform`` Literal is the spider's (and the source's) name; the daemon validates a
``sources:`` entry with it, and the spider reads the same model back as ``self.options``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

import scrapy
from scrapy.exceptions import CloseSpider

from listener.plugin import Named
from spiders.options import SourceOptions

if TYPE_CHECKING:
    from spiders.spec import CrawlSpec

logger = logging.getLogger(__name__)
OptionsT = TypeVar("OptionsT", bound=SourceOptions)


class ListenerSpider(Named, scrapy.Spider, Generic[OptionsT]):
    Config: ClassVar[type[SourceOptions]]
    TAG = "platform"

    def __init__(self, spec: CrawlSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(spec.options, self.Config):
            raise TypeError(f"{self.name} spider given {type(spec.options).__name__} options")
        self.spec = spec
        self.options: OptionsT = cast("OptionsT", spec.options)
        self._cursor = spec.cursor

    @property
    def stopping(self) -> bool:
        """The crawl is shutting down (SIGTERM): a long callback should stop yielding so
        the process ends within the daemon's grace period with what it spooled."""
        crawler = getattr(self, "crawler", None)
        return crawler is not None and not crawler.crawling

    def note_error(self, where: str, message: str) -> None:
        """A part of the response could not be used; the crawl goes on (counted as an error)."""
        logger.error("parse error source=%s at=%s error=%s", self.spec.source, where, message)

    def layout_changed(self, where: str, message: str) -> None:
        """A whole response the parser does not recognise: the crawl goes on with its other
        requests, but the source is reported unhealthy ("layout changed"), since a
        platform that changed its pages looks exactly like a quiet brand otherwise."""
        self.note_error(where, message)
        if not self.crawler.stats.get_value("listener/unhealthy"):
            self.crawler.stats.set_value("listener/unhealthy", f"layout changed: {message}")

    def unhealthy(self, reason: str) -> CloseSpider:
        """The source cannot be collected now (login wall, captcha, missing file): stop."""
        self.crawler.stats.set_value("listener/unhealthy", reason)
        logger.error("source unhealthy source=%s reason=%s", self.spec.source, reason)
        return CloseSpider(reason="unhealthy")

    def seen_before(self, position: str) -> bool:
        """Count one parsed post; True when its ``position`` (an ISO timestamp or a sortable
        id) is older than the cursor, so it was collected by an earlier crawl."""
        self.crawler.stats.inc_value("listener/parsed")
        return self.spec.cursor is not None and position < self.spec.cursor

    def advance_cursor(self, position: str) -> None:
        if self._cursor is None or position > self._cursor:
            self._cursor = position
            self.crawler.stats.set_value("listener/cursor", position)
