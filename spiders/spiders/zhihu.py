"""Zhihu search (``api/v4/search_v3``): answers, articles and questions."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

import scrapy
from scrapy.http import Response

from spiders.parsers.base import Page
from spiders.spiders.platform import PlatformSpider

PAGE_SIZE = 20


class ZhihuSpider(PlatformSpider):
    name = "zhihu"

    def url(self, keyword: str, offset: int) -> str:
        base = str(self.options.get("base_url") or "https://www.zhihu.com").rstrip("/")
        return (
            f"{base}/api/v4/search_v3?t=general&q={quote(keyword)}&correction=1"
            f"&offset={offset}&limit={PAGE_SIZE}"
        )

    def first_requests(self) -> Iterable[scrapy.Request]:
        for keyword in self.keywords():
            yield self.request(self.url(keyword, 0), keyword=keyword)

    def next_request(self, response: Response, page: Page) -> scrapy.Request | None:
        page_no = int(response.meta.get("page_no", 1)) + 1
        offset = int(page.next_token) if page.next_token else (page_no - 1) * PAGE_SIZE
        keyword = response.meta["keyword"]
        return self.request(self.url(keyword, offset), page_no=page_no, keyword=keyword)
