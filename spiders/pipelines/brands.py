"""Keep only mentions of a configured brand; record which brands and terms matched."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from listener.domain import Mention
from spiders.brandmatch import BrandMatcher
from spiders.spec import CrawlSpec


class BrandMatchPipeline:
    def __init__(self, crawler: Crawler, spec: CrawlSpec) -> None:
        self.stats = crawler.stats
        self.matcher = BrandMatcher(spec.brands)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrandMatchPipeline:
        return cls(crawler, crawler.settings["LISTENER_SPEC"])

    def process_item(self, item: Mention) -> Mention:
        assigned = self.matcher.assign(item)
        if assigned is None:
            self.stats.inc_value("listener/dropped/no_brand")
            raise DropItem(f"{item.id}: mentions no configured brand", log_level="DEBUG")
        return assigned
