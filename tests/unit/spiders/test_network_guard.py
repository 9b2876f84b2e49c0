"""Where a crawl may go (issue 18, item 3): private, loopback, link-local and multicast
addresses only when the configuration names them; the cookie only to named origins."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from spiders.middlewares.network import NetworkGuardMiddleware, origin

LOCAL_FEED = "http://127.0.0.1:1200/weibo/user/1"
GUARD = NetworkGuardMiddleware(frozenset({origin(LOCAL_FEED), origin("https://m.weibo.cn")}))  # type: ignore[arg-type]


def request(url: str, redirected: bool = False) -> Request:
    meta = {"redirect_urls": ["https://m.weibo.cn/x"]} if redirected else {}
    return Request(url, headers={"Cookie": "SUB=secret"}, meta=meta)


def test_configured_origins_pass_with_their_cookie() -> None:
    for url in (LOCAL_FEED + "?page=2", "https://m.weibo.cn/api/container/getIndex"):
        asked = request(url)
        assert GUARD.process_request(asked) is None
        assert asked.headers.get(b"Cookie") == b"SUB=secret"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://127.0.0.1:9200/_cat/indices",  # the same host, another port
        "http://localhost:1200/weibo/user/1",  # a name that resolves to loopback
        "http://10.0.0.5/",
        "http://192.168.1.1/admin",
        "http://[::1]:8787/metrics",
        "http://224.0.0.1/",
    ],
)
def test_redirects_into_the_local_network_are_refused(url: str) -> None:
    with pytest.raises(IgnoreRequest, match="a local or private address"):
        GUARD.process_request(request(url, redirected=True))


def test_public_addresses_pass_without_the_cookie() -> None:
    elsewhere = request("http://93.184.216.34/article/1", redirected=True)  # public, no DNS
    assert GUARD.process_request(elsewhere) is None
    assert b"Cookie" not in elsewhere.headers
    with pytest.raises(IgnoreRequest, match="not an http"):
        GUARD.process_request(request("ftp://93.184.216.34/x"))
