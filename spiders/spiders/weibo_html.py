"""s.weibo.com search result pages (needs a logged-in cookie)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal
from urllib.parse import quote

import scrapy
from pydantic import model_validator
from scrapy.http import Response

from spiders.options import WebOptions
from spiders.parsers import weibo_html
from spiders.parsers.base import Page, ParseContext
from spiders.spiders.platform import PlatformSpider


class WeiboHtmlOptions(WebOptions):
    """s.weibo.com search pages: needs a logged-in cookie."""

    platform: Literal["weibo_html"] = "weibo_html"
    base_url: str = "https://s.weibo.com"

    @model_validator(mode="after")
    def _needs_cookie(self) -> WeiboHtmlOptions:
        if self.cookie is None or not self.cookie.get_secret_value().strip():
            raise ValueError(
                "s.weibo.com shows only a login page without a cookie: set cookie "
                "(e.g. cookie: ${WEIBO_COOKIE})"
            )
        return self

    def platforms(self) -> tuple[str, ...]:
        return ("weibo",)


class WeiboHtmlSpider(PlatformSpider[WeiboHtmlOptions]):
    Config = WeiboHtmlOptions

    @staticmethod
    def parse_body(body: bytes, ctx: ParseContext) -> Page:
        return weibo_html.parse(body, ctx)

    def url(self, keyword: str, page_no: int) -> str:
        query = f"q={quote(keyword)}&typeall=1&suball=1&Refer=g&page={page_no}"
        return f"{self.options.base}/weibo?{query}"

    def first_requests(self) -> Iterable[scrapy.Request]:
        for keyword in self.keywords():
            yield self.request(self.url(keyword, 1), keyword=keyword)

    def next_request(self, response: Response, page: Page) -> scrapy.Request | None:
        page_no = int(response.meta.get("page_no", 1)) + 1
        keyword = response.meta["keyword"]
        return self.request(self.url(keyword, page_no), page_no=page_no, keyword=keyword)
