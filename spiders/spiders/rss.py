"""RSS and Atom feeds (news sites, blogs, RSSHub routes): one request per feed."""

from __future__ import annotations

from collections.abc import Iterable

import scrapy

from spiders.spiders.platform import PlatformSpider


class RssSpider(PlatformSpider):
    name = "rss"

    def first_requests(self) -> Iterable[scrapy.Request]:
        for url in self.options.get("feeds") or []:
            yield self.request(str(url))
