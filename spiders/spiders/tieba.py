"""Baidu Tieba: the thread lists of configured forums, keyword search results, and the
pages of tracked (hot negative) threads."""

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
from spiders.parsers import tieba
from spiders.parsers.base import Page, ParseContext
from spiders.spiders.platform import PlatformSpider

THREADS_PER_PAGE = 50


class TiebaOptions(WebOptions):
    """Baidu Tieba: forums' thread lists and keyword search."""

    platform: Literal["tieba"] = "tieba"
    base_url: str = "https://tieba.baidu.com"
    forums: list[NonEmptyStr] = []
    """Forum names (``kw``), e.g. the brand's own 吧."""
    search: bool = True
    track_threads: int = Field(default=20, ge=0, le=200)
    """Re-read the first page of this many recent negative threads (the most engaging,
    within ``track_for``) on every crawl: the thread's reply count and its replies,
    which count for the thread's brands."""

    def tracked_threads(self) -> tuple[int, timedelta]:
        return self.track_threads, self.track_for


class TiebaSpider(PlatformSpider[TiebaOptions]):
    Config = TiebaOptions

    @staticmethod
    def parse_body(body: bytes, ctx: ParseContext) -> Page:
        return tieba.parse(body, ctx)

    @property
    def base(self) -> str:
        return self.options.base

    def forum_url(self, forum: str, page_no: int) -> str:
        return f"{self.base}/f?kw={quote(forum)}&ie=utf-8&pn={(page_no - 1) * THREADS_PER_PAGE}"

    def search_url(self, keyword: str, page_no: int) -> str:
        return f"{self.base}/f/search/res?ie=utf-8&qw={quote(keyword)}&rn=20&sm=1&pn={page_no}"

    def first_requests(self) -> Iterable[scrapy.Request]:
        for forum in self.options.forums:
            yield self.request(self.forum_url(forum, 1), forum=forum)
        if self.options.search:
            for keyword in self.keywords():
                yield self.request(self.search_url(keyword, 1), keyword=keyword)
        for thread in self.spec.tracked:
            if thread.native_id.isdigit():
                yield self.request(
                    f"{self.base}/p/{thread.native_id}",
                    callback=self.tracked,
                    brands=list(thread.brands),
                )

    def next_request(self, response: Response, page: Page) -> scrapy.Request | None:
        page_no = int(response.meta.get("page_no", 1)) + 1
        if "forum" in response.meta:
            forum = response.meta["forum"]
            return self.request(self.forum_url(forum, page_no), page_no=page_no, forum=forum)
        keyword = response.meta["keyword"]
        return self.request(self.search_url(keyword, page_no), page_no=page_no, keyword=keyword)
