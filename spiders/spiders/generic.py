"""Any site described by selectors: list pages, the next-page link, detail pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Literal

import scrapy
from pydantic import Field, HttpUrl
from scrapy.http import Response
from twisted.python.failure import Failure

from listener.config.types import NonEmptyStr
from listener.domain import Mention
from spiders.options import WebOptions
from spiders.parsers import generic
from spiders.parsers.base import Page, ParseContext, Selectors
from spiders.spiders.platform import PlatformSpider, failed_request


class GenericOptions(WebOptions, Selectors):
    """Any site described by selectors (CSS, or XPath starting with ``/``)."""

    platform: Literal["generic"] = "generic"
    base_url: str = ""
    """Unused: ``start_urls`` say where to go."""
    start_urls: list[HttpUrl] = Field(min_length=1)
    as_platform: NonEmptyStr = "web"

    def platforms(self) -> tuple[str, ...]:
        return (self.as_platform,)

    def configured_urls(self) -> list[str]:
        return [str(url) for url in self.start_urls]


class GenericSpider(PlatformSpider[GenericOptions]):
    Config = GenericOptions

    @staticmethod
    def parse_body(body: bytes, ctx: ParseContext) -> Page:
        return generic.parse(body, ctx)

    def context(self, response: Response) -> ParseContext:
        ctx = super().context(response)
        return replace(ctx, platform=self.options.as_platform, selectors=self.options)

    def first_requests(self) -> Iterable[scrapy.Request]:
        for url in self.options.start_urls:
            yield self.request(str(url))

    def next_request(self, response: Response, page: Page) -> scrapy.Request | None:
        if not page.next_token:
            return None
        return self.request(page.next_token, page_no=int(response.meta.get("page_no", 1)) + 1)

    def extra_requests(
        self, response: Response, page: Page, fresh: list[Mention]
    ) -> Iterable[scrapy.Request]:
        if not self.options.detail:
            return
        for mention in fresh:
            if mention.url:
                yield self.follow_up(mention.url, mention, self.detail, self.detail_failed)

    def detail(self, response: Response) -> Iterator[Mention]:
        yield generic.parse_detail(response.body, self.context(response), response.meta["mention"])

    def detail_failed(self, failure: Failure) -> Iterator[Mention]:
        self.note_error(failed_request(failure).url, f"detail page: {failure.getErrorMessage()}")
        yield failed_request(failure).meta["mention"]
