"""What every listener spider shares: the crawl spec, error counting, health, cursor."""

from __future__ import annotations

import logging
from typing import Any

import scrapy
from scrapy.exceptions import CloseSpider

from listener.domain import CrawlSpec

logger = logging.getLogger(__name__)


class ListenerSpider(scrapy.Spider):
    def __init__(self, spec: CrawlSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self._cursor = spec.cursor

    def note_error(self, where: str, message: str) -> None:
        """A part of the response could not be used; the crawl goes on (counted as an error)."""
        logger.error("parse error source=%s at=%s error=%s", self.spec.source, where, message)

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
