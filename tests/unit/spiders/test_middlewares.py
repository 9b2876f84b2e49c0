from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings

from listener.domain import utcnow
from spiders.middlewares.backoff import MAX_WAIT_S, BackoffRetryMiddleware
from spiders.middlewares.identity import RotatingIdentityMiddleware


def backoff() -> BackoffRetryMiddleware:
    middleware = BackoffRetryMiddleware(Settings({"RETRY_ENABLED": True}))
    middleware.backoff_s = 5.0
    return middleware


def test_waits_double_each_retry_and_are_capped() -> None:
    m = backoff()
    response = Response("https://m.weibo.cn/x", status=418)
    waits = [
        m.wait_for(Request("https://m.weibo.cn/x", meta={"retry_times": n}), response)
        for n in range(8)
    ]
    nominal = [5.0, 10.0, 20.0, 40.0, 80.0, 160.0, MAX_WAIT_S, MAX_WAIT_S]
    assert all(0.9 * n <= w <= n for w, n in zip(waits, nominal, strict=True)), waits


def test_retry_after_wins_in_seconds_or_as_a_date() -> None:
    m = backoff()
    request = Request("https://api.bilibili.com/x", meta={"retry_times": 3})
    seconds = Response("https://api.bilibili.com/x", status=429, headers={"Retry-After": "7"})
    assert m.wait_for(request, seconds) == 7.0
    when = format_datetime(utcnow() + timedelta(seconds=60), usegmt=True)
    dated = Response("https://api.bilibili.com/x", status=429, headers={"Retry-After": when})
    assert 50 <= m.wait_for(request, dated) <= 60
    junk = Response("https://api.bilibili.com/x", status=429, headers={"Retry-After": "soon"})
    assert 36.0 <= m.wait_for(request, junk) <= 40.0  # falls back to the exponential wait


def test_identity_rotates_agents_and_proxies() -> None:
    m = RotatingIdentityMiddleware(["UA-1", "UA-2"], ["http://p1:8080", "http://p2:8080"])
    requests = [Request(f"https://example.com/{i}") for i in range(3)]
    for request in requests:
        m.process_request(request)
    assert [r.headers["User-Agent"] for r in requests] == [b"UA-1", b"UA-2", b"UA-1"]
    assert [r.meta["proxy"] for r in requests] == [
        "http://p1:8080",
        "http://p2:8080",
        "http://p1:8080",
    ]
    pinned = Request("https://example.com/", meta={"proxy": "http://mine:3128"})
    m.process_request(pinned)
    assert pinned.meta["proxy"] == "http://mine:3128"
