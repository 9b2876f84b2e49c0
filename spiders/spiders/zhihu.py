"""Zhihu: search (``api/v4/search_v3``: answers, articles, questions) and the answers of
watched accounts (``api/v4/members/<url_token>/answers``, newest first)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal
from urllib.parse import quote

import scrapy
from scrapy.http import Response

from listener.config.types import NonEmptyStr
from spiders.options import WebOptions
from spiders.parsers import zhihu
from spiders.parsers.base import Page, ParseContext
from spiders.spiders.platform import PlatformSpider

PAGE_SIZE = 20
ANSWER_FIELDS = quote(
    "data[*].content,excerpt,voteup_count,comment_count,created_time,updated_time,question",
    safe="",
)


class ZhihuOptions(WebOptions):
    """Zhihu search API, and watched accounts' answers (a cookie makes both far more
    reliable)."""

    platform: Literal["zhihu"] = "zhihu"
    base_url: str = "https://www.zhihu.com"
    search: bool = True
    members: list[NonEmptyStr] = []
    """``url_token``s (the name in ``zhihu.com/people/<url_token>``) whose answers to
    collect: the brand's own account, the KOLs of its field."""


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

    def member_url(self, member: str, offset: int) -> str:
        return (
            f"{self.options.base}/api/v4/members/{quote(member, safe='')}/answers"
            f"?include={ANSWER_FIELDS}&offset={offset}&limit={PAGE_SIZE}&sort_by=created"
        )

    def first_requests(self) -> Iterable[scrapy.Request]:
        if self.options.search:
            for keyword in self.keywords():
                yield self.request(self.url(keyword, 0), keyword=keyword)
        for member in self.options.members:
            yield self.request(self.member_url(member, 0), member=member)

    def next_request(self, response: Response, page: Page) -> scrapy.Request | None:
        page_no = int(response.meta.get("page_no", 1)) + 1
        offset = int(page.next_token) if page.next_token else (page_no - 1) * PAGE_SIZE
        if "member" in response.meta:
            member = response.meta["member"]
            return self.request(self.member_url(member, offset), page_no=page_no, member=member)
        keyword = response.meta["keyword"]
        return self.request(self.url(keyword, offset), page_no=page_no, keyword=keyword)
