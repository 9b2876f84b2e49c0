from __future__ import annotations

from datetime import timedelta

from listener.domain import CrawlResult
from listener.health import after_crawl
from tests.factories import T0


def ok(seen: int, spooled: int = 0, cursor: str | None = "c1") -> CrawlResult:
    return CrawlResult(source="s", items_seen=seen, items_spooled=spooled, cursor=cursor)


def test_success_records_cursor_and_counts() -> None:
    h = after_crawl(None, "s", T0, ok(10, 4), None, quiet_runs=3)
    assert h.healthy and h.cursor == "c1" and h.last_items == 4 and h.last_success_at == T0


def test_failure_keeps_the_cursor_and_says_why() -> None:
    h1 = after_crawl(None, "s", T0, ok(10), None, quiet_runs=3)
    h2 = after_crawl(h1, "s", T0 + timedelta(minutes=5), None, "timed out after 600s", quiet_runs=3)
    assert not h2.healthy and h2.reason == "timed out after 600s"
    assert h2.cursor == "c1" and h2.last_success_at == T0 and h2.consecutive_failures == 1
    h3 = after_crawl(h2, "s", T0, ok(3), None, quiet_runs=3)
    assert h3.healthy and h3.consecutive_failures == 0 and h3.failures == 1


def test_unhealthy_result_is_a_failure() -> None:
    bad = CrawlResult(source="s", healthy=False, reason="login wall", cursor="c0")
    h = after_crawl(None, "s", T0, bad, None, quiet_runs=3)
    assert not h.healthy and h.reason == "login wall" and h.cursor == "c0"


def test_silence_several_runs_in_a_row_is_suspicious() -> None:
    h = None
    for _ in range(2):
        h = after_crawl(h, "s", T0, ok(0), None, quiet_runs=3)
        assert h.healthy
    h = after_crawl(h, "s", T0, ok(0), None, quiet_runs=3)
    assert not h.healthy and "returned no posts for 3 runs" in h.reason
    h = after_crawl(h, "s", T0, ok(1), None, quiet_runs=3)
    assert h.healthy and h.consecutive_empty == 0


def test_a_backfill_of_older_posts_does_not_rewind_the_cursor() -> None:
    first = after_crawl(None, "s", T0, ok(5, cursor="2026-11-20T08:00:00+00:00"), None, 3)
    older = after_crawl(first, "s", T0, ok(5, cursor="2026-11-01T00:00:00+00:00"), None, 3)
    assert older.cursor == "2026-11-20T08:00:00+00:00"


def test_parse_errors_and_the_failure_rate_are_kept() -> None:
    bad_pages = CrawlResult(source="s", items_seen=8, items_spooled=8, errors=3, cursor="c")
    h1 = after_crawl(None, "s", T0, bad_pages, None, quiet_runs=3)
    assert h1.healthy and h1.last_errors == 3
    h2 = after_crawl(h1, "s", T0, None, "crawl timed out", quiet_runs=3)
    assert (h2.failures, h2.runs, h2.failure_rate) == (1, 2, 0.5)
