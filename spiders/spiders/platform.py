"""The crawl loop every platform spider shares: fetch → parse → page on → stop.

A platform spider says where to start (``first_requests``) and where the next page
is (``next_request``); this class runs its parser on each response, yields the new
mentions (and, within ``track_for``, the already-seen ones again so their engagement
is re-measured), stops paging at a page with nothing new or at the page limit, and
turns a login wall, a captcha or a refusal into an unhealthy source that stops now.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, TypeVar

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from listener.domain import Mention, utcnow
from listener.redact import redact
from spiders.options import WebOptions
from spiders.parsers.base import BadBody, Blocked, Page, ParseContext, Unparseable
from spiders.parsers.times import http_date
from spiders.spiders.base import ListenerSpider

logger = logging.getLogger(__name__)

REFUSED_STATUSES = {
    401: "unauthorised",
    403: "forbidden",
    418: "refused as a bot",
    429: "rate limited",
    432: "refused as a bot",
}


W = TypeVar("W", bound=WebOptions)


class PlatformSpider(ListenerSpider[W], ABC):
    """A spider of a web platform: where to start, its parser, where the next page is."""

    # -- what a platform says ------------------------------------------------------------

    @abstractmethod
    def first_requests(self) -> Iterable[scrapy.Request]:
        """The requests a crawl starts with (search pages, feeds, timelines)."""

    def next_request(self, response: Response, page: Page) -> scrapy.Request | None:
        """The request for the page after ``response``; None when the platform has none."""
        return None

    def extra_requests(
        self, response: Response, page: Page, fresh: list[Mention]
    ) -> Iterable[scrapy.Request]:
        """Follow-ups for this page's mentions (full texts, detail pages)."""
        return ()

    @staticmethod
    @abstractmethod
    def parse_body(body: bytes, ctx: ParseContext) -> Page:
        """The platform's parser (a pure function of ``spiders.parsers``)."""

    # -- shared machinery ----------------------------------------------------------------

    def keywords(self) -> list[str]:
        """The configured search keywords, else every brand's name and aliases."""
        if self.options.keywords:
            return list(self.options.keywords)
        terms = [t for b in self.spec.brands for t in (b.name, *b.aliases)]
        return list(dict.fromkeys(terms))

    def headers(self) -> dict[str, str]:
        return self.options.headers()

    def request(
        self, url: str, callback: Any = None, page_no: int = 1, **meta: Any
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback or self.parse,
            errback=self.failed,
            headers=self.headers(),
            meta={"page_no": page_no, **meta},
            dont_filter=page_no == 1,
        )

    def follow_up(
        self, url: str, mention: Mention, callback: Any, errback: Any, priority: int = 0
    ) -> scrapy.Request:
        """A request that completes ``mention`` (held back until it answers or fails)."""
        return scrapy.Request(
            url,
            callback=callback,
            errback=errback,
            headers=self.headers(),
            meta={"mention_id": mention.id, "mention": mention},
            priority=priority,
        )

    async def start(self) -> AsyncIterator[Any]:
        for request in self.first_requests():
            yield request

    def context(self, response: Response) -> ParseContext:
        return ParseContext(
            url=response.url,
            now=self.spec.clock,
            served_at=http_date(response.headers.get("Date")),
            source=self.spec.source,
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        page = self.parse_page(response)
        if page is None:
            return
        fresh: list[Mention] = []
        tracked_since = (self.spec.clock or utcnow()) - self.options.track_for
        for mention in page.mentions:
            position = mention.published_at.isoformat()
            if self.seen_before(position):
                if mention.published_at >= tracked_since:
                    self.crawler.stats.inc_value("listener/revisited")
                    yield mention  # seen before, re-measured: its engagement may have grown
                continue
            self.advance_cursor(position)
            fresh.append(mention)
        follow_ups = list(self.extra_requests(response, page, fresh))
        held = {r.meta.get("mention_id") for r in follow_ups}
        for mention in fresh:
            if mention.id not in held:
                yield mention
        yield from follow_ups
        page_no = int(response.meta.get("page_no", 1))
        if not page.more or not fresh:
            return
        if page_no >= self.spec.page_limit:
            self.crawler.stats.inc_value("listener/page_limit_reached")
            return
        following = self.next_request(response, page)
        if following is not None:
            following.meta["page_no"] = page_no + 1
            yield following

    def tracked(self, response: Response) -> Iterator[Mention]:
        """A re-visited thread: its current counts (a new engagement snapshot) and its
        hot comments, which belong to the thread's brands even when they do not name
        them (replies rarely repeat the brand)."""
        page = self.parse_page(response)
        if page is None:
            return
        brands = tuple(response.meta.get("brands") or ())
        for mention in page.mentions:
            self.crawler.stats.inc_value("listener/revisited")
            yield mention.model_copy(update={"brands": brands})

    def parse_page(self, response: Response) -> Page | None:
        self.crawler.stats.inc_value("listener/fetched")
        try:
            page = self.parse_body(response.body, self.context(response))
        except Blocked as exc:
            raise self.unhealthy(f"{exc} ({_safe_url(response.url)})") from None
        except BadBody as exc:
            self.note_error(_safe_url(response.url), str(exc))
            return None
        except Unparseable as exc:
            self.layout_changed(_safe_url(response.url), str(exc))
            return None
        except Exception as exc:  # a parser bug must cost one page, not the crawl
            logger.exception("parser failed source=%s url=%s", self.spec.source, response.url)
            self.note_error(_safe_url(response.url), f"parser failed: {type(exc).__name__}")
            return None
        for problem in page.errors:
            self.note_error(_safe_url(response.url), problem)
        if not page.mentions and int(response.meta.get("page_no", 1)) == 1:
            self.crawler.stats.inc_value("listener/empty_first_pages")
        return page

    def failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = _safe_url(request.url) if request is not None else "?"
        if isinstance(failure.value, HttpError):
            status = failure.value.response.status
            if status in REFUSED_STATUSES:
                raise self.unhealthy(
                    f"HTTP {status} ({REFUSED_STATUSES[status]}) after retries at {url}"
                )
            self.note_error(url, f"HTTP {status}")
            return
        problem = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
        self.note_error(url, problem)
        self._last_failure = f"{problem} at {url}"

    def closed(self, reason: str) -> None:
        """A crawl that could not fetch a single page is not a quiet source: unhealthy,
        with the last failure (every feed refusing connections used to read as healthy
        with nothing new)."""
        stats = self.crawler.stats
        failure = getattr(self, "_last_failure", "")
        fetched, known = stats.get_value("listener/fetched"), stats.get_value("listener/unhealthy")
        if failure and not fetched and not known and reason != "shutdown":
            stats.set_value("listener/unhealthy", f"no page could be fetched: {failure}")


def _safe_url(url: str) -> str:
    """URLs go to logs: never with credentials or tokens in them, nor a fragment."""
    return redact(url.split("#", maxsplit=1)[0][:300])


def failed_request(failure: Failure) -> scrapy.Request:
    """The request a download failure belongs to (Scrapy sets it on the failure)."""
    request: scrapy.Request = getattr(failure, "request")  # noqa: B009
    return request
