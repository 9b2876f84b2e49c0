"""Bilibili: video search by keyword, newest first; the dynamics of configured spaces."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

import scrapy
from scrapy.http import Response

from spiders.parsers.base import Page
from spiders.spiders.platform import PlatformSpider


class BilibiliSpider(PlatformSpider):
    name = "bilibili"

    @property
    def base(self) -> str:
        return str(self.options.get("base_url") or "https://api.bilibili.com").rstrip("/")

    def search_url(self, keyword: str, page_no: int) -> str:
        return (
            f"{self.base}/x/web-interface/search/type?search_type=video"
            f"&keyword={quote(keyword)}&order=pubdate&page={page_no}"
        )

    def space_url(self, mid: str, offset: str = "") -> str:
        return f"{self.base}/x/polymer/web-dynamic/v1/feed/space?host_mid={mid}&offset={offset}"

    def first_requests(self) -> Iterable[scrapy.Request]:
        if self.options.get("search", True):
            for keyword in self.keywords():
                yield self.request(self.search_url(keyword, 1), keyword=keyword)
        for mid in self.options.get("spaces") or []:
            yield self.request(self.space_url(str(mid)), space=str(mid))

    def next_request(self, response: Response, page: Page) -> scrapy.Request | None:
        page_no = int(response.meta.get("page_no", 1)) + 1
        if "keyword" in response.meta:
            keyword = response.meta["keyword"]
            return self.request(self.search_url(keyword, page_no), page_no=page_no, keyword=keyword)
        if page.next_token:
            space = response.meta["space"]
            return self.request(
                self.space_url(space, page.next_token), page_no=page_no, space=space
            )
        return None
