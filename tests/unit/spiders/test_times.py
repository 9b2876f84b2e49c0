from __future__ import annotations

from datetime import UTC, datetime

import pytest

from spiders.parsers.times import parse_cn_time, weibo_id_time

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
