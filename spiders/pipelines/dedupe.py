"""Drop a mention already emitted in this crawl (pages overlap while a feed moves)."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from listener.domain import Mention


class DedupePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Mention) -> Mention:
        if item.id in self.seen:
            self.stats.inc_value("listener/dropped/duplicate")
            raise DropItem(f"{item.id}: already collected in this crawl", log_level="DEBUG")
        self.seen.add(item.id)
        return item
