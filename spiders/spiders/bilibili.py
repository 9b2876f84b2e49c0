"""Bilibili: video search by keyword, newest first; the dynamics of configured spaces;
tracked threads' current counts and hot comments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Literal
from urllib.parse import quote

import scrapy
from pydantic import Field
from scrapy.http import Response

from listener.config.types import NonEmptyStr
from spiders.options import WebOptions
from spiders.parsers import bilibili
from spiders.parsers.base import Page, ParseContext
from spiders.parsers.ids import bv_to_av
from spiders.spiders.platform import PlatformSpider


class BilibiliOptions(WebOptions):
    """Bilibili video search, and the dynamics of chosen spaces."""

    platform: Literal["bilibili"] = "bilibili"
    base_url: str = "https://api.bilibili.com"
    search: bool = True
    spaces: list[NonEmptyStr] = []
    """Numeric mids whose dynamics to collect (the brand's own space)."""
    track_threads: int = Field(default=20, ge=0, le=200)
    """Re-visit this many recent negative videos (the most engaging, within
    ``track_for``) on every crawl: their current counts (``x/web-interface/view``) and
    their hot comments (``x/v2/reply/main``, where complaints live)."""

    def tracked_threads(self) -> tuple[int, timedelta]:
        return self.track_threads, self.track_for


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
        for thread in self.spec.tracked:
            if not thread.native_id.startswith("BV"):
                continue  # a dynamic: no comment thread of its own to read here
            brands = list(thread.brands)
            view = f"{self.base}/x/web-interface/view?bvid={thread.native_id}"
            comments = f"{self.base}/x/v2/reply/main?type=1&oid={bv_to_av(thread.native_id)}&mode=3"
            yield self.request(view, callback=self.tracked, brands=brands)
            yield self.request(comments, callback=self.tracked, brands=brands)

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
