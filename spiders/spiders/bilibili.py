"""Bilibili: video search by keyword, newest first; the dynamics of configured spaces."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal
from urllib.parse import quote

import scrapy
from scrapy.http import Response

from listener.config.types import NonEmptyStr
from spiders.options import WebOptions
from spiders.parsers import bilibili
from spiders.parsers.base import Page, ParseContext
from spiders.spiders.platform import PlatformSpider


class BilibiliOptions(WebOptions):
    """Bilibili video search, and the dynamics of chosen spaces."""

    platform: Literal["bilibili"] = "bilibili"
    base_url: str = "https://api.bilibili.com"
    search: bool = True
    spaces: list[NonEmptyStr] = []
    """Numeric mids whose dynamics to collect (the brand's own space)."""


class BilibiliSpider(PlatformSpider[BilibiliOptions]):
    Config = BilibiliOptions

    @staticmethod
    def parse_body(body: bytes, ctx: ParseContext) -> Page:
        return bilibili.parse(body, ctx)

    @property
    def base(self) -> str:
        return self.options.base

    def search_url(self, keyword: str, page_no: int) -> str:
        return (
            f"{self.base}/x/web-interface/search/type?search_type=video"
            f"&keyword={quote(keyword)}&order=pubdate&page={page_no}"
        )

    def space_url(self, mid: str, offset: str = "") -> str:
        return f"{self.base}/x/polymer/web-dynamic/v1/feed/space?host_mid={mid}&offset={offset}"

    def first_requests(self) -> Iterable[scrapy.Request]:
        if self.options.search:
            for keyword in self.keywords():
                yield self.request(self.search_url(keyword, 1), keyword=keyword)
        for mid in self.options.spaces:
            yield self.request(self.space_url(mid), space=mid)

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
