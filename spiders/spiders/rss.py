"""RSS and Atom feeds (news sites, blogs, RSSHub routes): one request per feed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

import scrapy
from pydantic import Field, HttpUrl
from scrapy.http import Response

from spiders.options import WebOptions
from spiders.parsers import rss
from spiders.parsers.base import Page, ParseContext
from spiders.spiders.platform import PlatformSpider


class RssOptions(WebOptions):
    """RSS/Atom feeds: news sites, blogs and RSSHub routes."""

    platform: Literal["rss"] = "rss"
    base_url: str = ""
    """Unused: each feed has its own address."""
    feeds: list[HttpUrl] = Field(min_length=1)
    as_platform: str | None = None
    """Record mentions under this platform (default: the RSSHub route's platform, else news)."""

    def platforms(self) -> tuple[str, ...]:
        return (self.as_platform,) if self.as_platform else ()

    def configured_urls(self) -> list[str]:
        return [str(url) for url in self.feeds]


class RssSpider(PlatformSpider[RssOptions]):
    Config = RssOptions

    @staticmethod
    def parse_body(body: bytes, ctx: ParseContext) -> Page:
        return rss.parse(body, ctx)

    def context(self, response: Response) -> ParseContext:
        return replace(super().context(response), platform=self.options.as_platform)

    def first_requests(self) -> Iterable[scrapy.Request]:
        for url in self.options.feeds:
            yield self.request(str(url))
