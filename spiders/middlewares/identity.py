"""Rotate the User-Agent (and the proxy, when configured) per request."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from spiders.options import WebOptions
from spiders.spec import CrawlSpec


class RotatingIdentityMiddleware:
    def __init__(self, user_agents: list[str], proxies: list[str]) -> None:
        self._agents: Iterator[str] | None = itertools.cycle(user_agents) if user_agents else None
        self._proxies: Iterator[str] | None = itertools.cycle(proxies) if proxies else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RotatingIdentityMiddleware:
        spec: CrawlSpec = crawler.settings["LISTENER_SPEC"]
        options = spec.options
        if not isinstance(options, WebOptions) or not (options.user_agents or options.proxies):
            raise NotConfigured  # no identities to rotate (file sources): silently off
        return cls(list(options.user_agents), list(options.proxies))

    def process_request(self, request: Request) -> None:
        if self._agents is not None:
            request.headers["User-Agent"] = next(self._agents)
        if self._proxies is not None and "proxy" not in request.meta:
            request.meta["proxy"] = next(self._proxies)
