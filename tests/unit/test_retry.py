"""One backoff rule and one Retry-After reader for the spool worker, outbox, crawls and
notifiers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from alerts.base import RetryAfter
from listener.retry import backoff, retry_after

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def test_backoff_doubles_from_the_first_failure_up_to_a_cap() -> None:
    waits = [backoff(n, 30.0, 900.0, jitter=0) for n in (1, 2, 3, 4, 5, 6, 7)]
    assert waits == [30.0, 60.0, 120.0, 240.0, 480.0, 900.0, 900.0]
    assert backoff(0, 30.0, 900.0, jitter=0) == 30.0  # "no failure yet" waits the base
    assert backoff(10_000, 30.0, 900.0, jitter=0) == 900.0  # no overflow
    assert backoff(3, 0.0, 900.0) == 0.0


def test_jitter_only_shortens_and_spreads_the_waits() -> None:
    rng = random.Random(7)
    waits = [backoff(3, 30.0, 900.0, jitter=0.2, rng=rng) for _ in range(200)]
    assert all(96.0 <= w <= 120.0 for w in waits)
    assert len({round(w, 3) for w in waits}) > 150  # clients that failed together spread out
    capped = [backoff(30, 30.0, 900.0, jitter=0.2, rng=rng) for _ in range(50)]
    assert max(capped) <= 900.0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("7") == 7.0
    assert retry_after(b" 12 ") == 12.0
    assert retry_after("-5") == 0.0
    assert retry_after("600", cap=300) == 300
    dated = format_datetime(NOW + timedelta(seconds=90), usegmt=True)
    assert retry_after(dated, now=NOW) == 90.0
    assert retry_after(format_datetime(NOW - timedelta(hours=1), usegmt=True), now=NOW) == 0.0
    for unreadable in (None, "", "soon", "nan", b"\xff"):
        assert retry_after(unreadable) is None


def test_a_rate_limited_notifier_waits_as_told_or_the_default() -> None:
    assert RetryAfter.from_header("slack: ratelimited", "7").seconds == 7.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    assert 110 <= RetryAfter.from_header("webhook: HTTP 429", later).seconds <= 120
    assert RetryAfter.from_header("webhook: HTTP 429", None).seconds == RetryAfter.DEFAULT_SECONDS
    assert RetryAfter.from_header("webhook: HTTP 429", "later").seconds == 30.0
