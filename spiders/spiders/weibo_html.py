"""s.weibo.com search result pages (needs a logged-in cookie)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

import scrapy
from scrapy.http import Response

from spiders.parsers.base import Page
from spiders.spiders.platform import PlatformSpider


class WeiboHtmlSpider(PlatformSpider):
    name = "weibo_html"

    def url(self, keyword: str, page_no: int) -> str:
        base = str(self.options.get("base_url") or "https://s.weibo.com").rstrip("/")
        return f"{base}/weibo?q={quote(keyword)}&typeall=1&suball=1&Refer=g&page={page_no}"

    def first_requests(self) -> Iterable[scrapy.Request]:
        for keyword in self.keywords():
            yield self.request(self.url(keyword, 1), keyword=keyword)

    def next_request(self, response: Response, page: Page) -> scrapy.Request | None:
        page_no = int(response.meta.get("page_no", 1)) + 1
        keyword = response.meta["keyword"]
        return self.request(self.url(keyword, page_no), page_no=page_no, keyword=keyword)
