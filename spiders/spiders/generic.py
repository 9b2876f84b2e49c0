"""Any site described by selectors: list pages, the next-page link, detail pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from listener.domain import Mention
from spiders.parsers import generic
from spiders.parsers.base import Page
from spiders.spiders.platform import PlatformSpider, failed_request


class GenericSpider(PlatformSpider):
    name = "generic"

    def first_requests(self) -> Iterable[scrapy.Request]:
        for url in self.options.get("start_urls") or []:
            yield self.request(str(url))

    def next_request(self, response: Response, page: Page) -> scrapy.Request | None:
        if not page.next_token:
            return None
        return self.request(page.next_token, page_no=int(response.meta.get("page_no", 1)) + 1)

    def extra_requests(
        self, response: Response, page: Page, fresh: list[Mention]
    ) -> Iterable[scrapy.Request]:
        if not self.options.get("detail"):
            return
        for mention in fresh:
            if mention.url:
                yield self.follow_up(mention.url, mention, self.detail, self.detail_failed)

    def detail(self, response: Response) -> Iterator[Mention]:
        yield generic.parse_detail(response.body, self.context(response), response.meta["mention"])

    def detail_failed(self, failure: Failure) -> Iterator[Mention]:
        self.note_error(failed_request(failure).url, f"detail page: {failure.getErrorMessage()}")
        yield failed_request(failure).meta["mention"]
