from __future__ import annotations

from datetime import UTC, datetime

import pytest

from spiders.parsers.base import ParseContext
from spiders.parsers.times import page_clock, parse_cn_time, weibo_id_time

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("刚刚", "2026-11-23T06:00:00+00:00"),
        ("5分钟前", "2026-11-23T05:55:00+00:00"),
        ("2小时前", "2026-11-23T04:00:00+00:00"),
        ("今天 10:25", "2026-11-23T02:25:00+00:00"),
        ("昨天 23:59", "2026-11-22T15:59:00+00:00"),
        ("11-20", "2026-11-19T16:00:00+00:00"),
        ("12-31", "2025-12-30T16:00:00+00:00"),  # a year-less date in the future is last year's
        ("2021-06-08", "2021-06-07T16:00:00+00:00"),
        ("Tue Jun 08 09:35:04 +0800 2021", "2021-06-08T01:35:04+00:00"),
        ("06月17日 18:12", "2026-06-17T10:12:00+00:00"),
        ("2020-06-05 11:11:05 来自iPhone", "2020-06-05T03:11:05+00:00"),
        ("13:30", "2026-11-23T05:30:00+00:00"),
        ("2016-03", "2016-02-29T16:00:00+00:00"),
        ("Fri, 04 Jul 2025 09:23:58 GMT", "2025-07-04T09:23:58+00:00"),
    ],
)
def test_platform_stamps(stamp: str, expected: str) -> None:
    parsed = parse_cn_time(stamp, NOW)
    assert parsed is not None and parsed.astimezone(UTC).isoformat() == expected


@pytest.mark.parametrize("stamp", ["", "昨天", "13-45", "02-30", "not a time"])
def test_unreadable_stamps_are_none(stamp: str) -> None:
    assert parse_cn_time(stamp, NOW) is None


def test_weibo_ids_carry_their_second() -> None:
    assert weibo_id_time("4645748019299849") == datetime(2021, 6, 8, 1, 35, 4, tzinfo=UTC)
    assert weibo_id_time("12345") is None  # pre-2012 ids carry no time


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<script>$CONFIG['servertime']=1594186965;</script>", "2020-07-08T05:42:45+00:00"),
        ('{"is_new_user":1,"start_time":1723088812,"frs":0}', "2024-08-08T03:46:52+00:00"),
        ('{"tbs":"859011dec25fdfa61539860521","net_type":1}', "2018-10-18T11:02:01+00:00"),
        ('{"current_time":1692451637355}', "2023-08-19T13:27:17.355000+00:00"),
        ("<html><body>no clock here, 1594186965 alone is not one</body></html>", None),
    ],
)
def test_page_clocks(html: str, expected: str | None) -> None:
    found = page_clock(html)
    assert (found.isoformat() if found else None) == expected


def test_the_reference_time_prefers_the_caller_then_the_page_then_the_response() -> None:
    served = datetime(2026, 11, 30, tzinfo=UTC)
    page = datetime(2018, 10, 18, tzinfo=UTC)
    ctx = ParseContext(served_at=served)
    assert ctx.reference_time() == served
    assert ctx.with_page_clock(page).reference_time() == page
    assert ctx.with_page_clock(None).reference_time() == served
    assert ParseContext(now=NOW, served_at=served).with_page_clock(page).reference_time() == NOW
