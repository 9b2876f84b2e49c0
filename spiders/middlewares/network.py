"""Where a crawl may go: no request, redirect or DNS answer into the local network unless
the configuration named that address, and the cookie only to the addresses it names.

A 302 from a public site to ``http://127.0.0.1:9200/`` or ``http://169.254.169.254/``
(cloud metadata) would otherwise be fetched and its answer indexed — internal content
made searchable. Every request passes here, redirected ones included (Scrapy schedules
a redirect as a new request): its host is resolved, and an address that is loopback,
private, link-local, multicast, reserved or unspecified is refused unless the request
goes to an origin (scheme, host, port) of the source's own configured URLs — a local
RSSHub or a test server is "explicitly local". The ``Cookie`` header is dropped from a
request to any origin the configuration does not name (Scrapy itself keeps it on a
same-host redirect to another port).
"""

from __future__ import annotations

import ipaddress
import socket
from functools import cache
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from spiders.options import WebOptions
from spiders.spec import CrawlSpec

Origin = tuple[str, str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> Origin | None:
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError:
        return None
    return (parts.scheme, (parts.hostname or "").lower(), port) if parts.hostname else None


@cache
def non_public_address(host: str) -> str | None:
    """The first address ``host`` resolves to that is not on the public internet, if any."""
    try:
        answers = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return None  # unresolvable: the download fails on its own, with its own error
    for answer in sorted(answers):
        address = ipaddress.ip_address(answer.split("%")[0])
        if not address.is_global or address.is_multicast:
            return answer
    return None


class NetworkGuardMiddleware:
    def __init__(self, configured: frozenset[Origin]) -> None:
        self.configured = configured

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetworkGuardMiddleware:
        spec: CrawlSpec = crawler.settings["LISTENER_SPEC"]
        if not isinstance(spec.options, WebOptions):
            raise NotConfigured  # a local file: no network
        urls = spec.options.configured_urls()
        return cls(frozenset(o for o in map(origin, urls) if o is not None))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        target = origin(request.url)
        if target is not None and target in self.configured:
            return None
        request.headers.pop(b"Cookie", None)  # only the configured addresses get the login
        if target is None or target[0] not in DEFAULT_PORTS:
            raise IgnoreRequest(f"refused {request.url[:200]}: not an http(s) address")
        if (address := non_public_address(target[1])) is not None:
            came = " (a redirect)" if request.meta.get("redirect_urls") else ""
            raise IgnoreRequest(
                f"refused {target[0]}://{target[1]}:{target[2]}{came}: it resolves to "
                f"{address}, a local or private address the configuration does not name"
            )
        return None
