"""Baidu Tieba: the thread lists of configured forums, and keyword search results."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

import scrapy
from scrapy.http import Response

from spiders.parsers.base import Page
from spiders.spiders.platform import PlatformSpider

THREADS_PER_PAGE = 50


class TiebaSpider(PlatformSpider):
    name = "tieba"

    @property
    def base(self) -> str:
        return str(self.options.get("base_url") or "https://tieba.baidu.com").rstrip("/")

    def forum_url(self, forum: str, page_no: int) -> str:
        return f"{self.base}/f?kw={quote(forum)}&ie=utf-8&pn={(page_no - 1) * THREADS_PER_PAGE}"

    def search_url(self, keyword: str, page_no: int) -> str:
        return f"{self.base}/f/search/res?ie=utf-8&qw={quote(keyword)}&rn=20&sm=1&pn={page_no}"

    def first_requests(self) -> Iterable[scrapy.Request]:
        for forum in self.options.get("forums") or []:
            yield self.request(self.forum_url(str(forum), 1), forum=str(forum))
        if self.options.get("search", True):
            for keyword in self.keywords():
                yield self.request(self.search_url(keyword, 1), keyword=keyword)

    def next_request(self, response: Response, page: Page) -> scrapy.Request | None:
        page_no = int(response.meta.get("page_no", 1)) + 1
        if "forum" in response.meta:
            forum = response.meta["forum"]
            return self.request(self.forum_url(forum, page_no), page_no=page_no, forum=forum)
        keyword = response.meta["keyword"]
        return self.request(self.search_url(keyword, page_no), page_no=page_no, keyword=keyword)
