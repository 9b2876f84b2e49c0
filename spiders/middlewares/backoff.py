"""Scrapy's retries, with a wait that doubles each time (or the server's Retry-After).

418/429/432 mean "slow down": retrying at once only earns a longer ban. The wait is
awaited asynchronously, so other sources' requests and the rest of the crawl go on.
"""

from __future__ import annotations

import asyncio
import logging
import random

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from listener.retry import backoff, retry_after
from spiders.options import WebOptions
from spiders.spec import CrawlSpec

logger = logging.getLogger(__name__)
MAX_WAIT_S = 300.0


class BackoffRetryMiddleware(RetryMiddleware):
    backoff_s: float = 5.0
    rng: random.Random | None = None
    """Draws the backoff's jitter (seeded in tests)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        spec: CrawlSpec | None = crawler.settings.get("LISTENER_SPEC")
        if spec is not None and isinstance(spec.options, WebOptions):
            middleware.backoff_s = spec.options.backoff.total_seconds()
        return middleware

    def wait_for(self, request: Request, response: Response) -> float:
        """The server's Retry-After when it gives one, else the exponential backoff."""
        asked = retry_after(response.headers.get("Retry-After"), cap=MAX_WAIT_S)
        if asked is not None:
            return asked
        failures = int(request.meta.get("retry_times", 0)) + 1
        return backoff(failures, self.backoff_s, MAX_WAIT_S, rng=self.rng)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        max_times = request.meta.get("max_retry_times", self.max_retry_times)
        if int(request.meta.get("retry_times", 0)) >= max_times:
            return self._retry(request, response_status_message(response.status)) or response
        wait = self.wait_for(request, response)
        logger.warning(
            "backing off status=%s url=%s wait_s=%.1f", response.status, request.url, wait
        )
        self.crawler.stats.inc_value("listener/backoff_s", round(wait))
        await asyncio.sleep(wait)
        return self._retry(request, response_status_message(response.status)) or response
