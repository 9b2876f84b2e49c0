"""Write mentions to the spool in small transactions: the only hand-off to the daemon."""

from __future__ import annotations

from scrapy.crawler import Crawler

from listener.domain import Mention
from listener.spool import Spool
from spiders.spec import CrawlSpec


class SpoolPipeline:
    def __init__(self, crawler: Crawler, spec: CrawlSpec, flush_every: int) -> None:
        self.stats = crawler.stats
        self.spec = spec
        self.flush_every = flush_every
        self.buffer: list[Mention] = []
        self.spool: Spool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpoolPipeline:
        return cls(
            crawler,
            crawler.settings["LISTENER_SPEC"],
            crawler.settings.getint("LISTENER_SPOOL_FLUSH_EVERY", 50),
        )

    def open_spider(self) -> None:
        self.spool = Spool(self.spec.spool_path)

    def close_spider(self) -> None:
        self.flush()
        if self.spool is not None:
            self.spool.close()

    def flush(self) -> None:
        if self.buffer and self.spool is not None:
            written = self.spool.put_many(self.buffer)
            self.stats.inc_value("listener/spooled", written)
            self.buffer.clear()

    def process_item(self, item: Mention) -> Mention:
        self.buffer.append(item)
        if len(self.buffer) >= self.flush_every:
            self.flush()
        return item
