"""Zhihu search (``api/v4/search_v3``): answers, articles and questions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal
from urllib.parse import quote

import scrapy
from scrapy.http import Response

from spiders.options import WebOptions
from spiders.parsers import zhihu
from spiders.parsers.base import Page, ParseContext
from spiders.spiders.platform import PlatformSpider

PAGE_SIZE = 20


class ZhihuOptions(WebOptions):
    """Zhihu search API: answers, articles and questions (a cookie makes it far more reliable)."""

    platform: Literal["zhihu"] = "zhihu"
    base_url: str = "https://www.zhihu.com"


class ZhihuSpider(PlatformSpider[ZhihuOptions]):
    Config = ZhihuOptions

    @staticmethod
    def parse_body(body: bytes, ctx: ParseContext) -> Page:
        return zhihu.parse(body, ctx)

    def url(self, keyword: str, offset: int) -> str:
        return (
            f"{self.options.base}/api/v4/search_v3?t=general&q={quote(keyword)}&correction=1"
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
