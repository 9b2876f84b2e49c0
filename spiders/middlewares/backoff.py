"""Scrapy's retries, with a wait that doubles each time (or the server's Retry-After).

418/429/432 mean "slow down": retrying at once only earns a longer ban. The wait is
awaited asynchronously, so other sources' requests and the rest of the crawl go on.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from listener.domain import CrawlSpec, utcnow
from spiders.parsers.times import http_date

logger = logging.getLogger(__name__)
MAX_WAIT_S = 300.0


class BackoffRetryMiddleware(RetryMiddleware):
    backoff_s: float = 5.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        spec: CrawlSpec | None = crawler.settings.get("LISTENER_SPEC")
        if spec is not None:
            middleware.backoff_s = float(spec.options.get("backoff_s", cls.backoff_s))
        return middleware

    def wait_for(self, request: Request, response: Response) -> float:
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            text = retry_after.decode("latin-1").strip()
            try:
                return min(max(float(text), 0.0), MAX_WAIT_S)
            except ValueError:
                until = http_date(text)  # Retry-After may also be an HTTP date
                if until is not None:
                    return min(max((until - utcnow()).total_seconds(), 0.0), MAX_WAIT_S)
        attempt = int(request.meta.get("retry_times", 0))
        return float(min(self.backoff_s * 2**attempt, MAX_WAIT_S))

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
