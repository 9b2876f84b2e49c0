from __future__ import annotations

from datetime import timedelta

import numpy as np

from listener.domain import Outage
from listener.stats.series import BucketSeries
from listener.stores.sqlite import SqliteStore
from tests.factories import T0, mention


def test_late_arrivals_in_recent_buckets_are_counted(sqlite_store: SqliteStore) -> None:
    series = BucketSeries(timedelta(minutes=5), timedelta(days=1))
    now = T0 + timedelta(hours=3)
    sqlite_store.bulk_upsert([mention("early", at=T0)])
    series.refresh(sqlite_store, now, ("小米",))
    # collected late: published twenty minutes ago, indexed after the last pass
    sqlite_store.bulk_upsert(
        [mention(f"late{i}", at=now - timedelta(minutes=20)) for i in range(7)]
    )
    series.refresh(sqlite_store, now + timedelta(minutes=1), ("小米",))
    counts = series.counts("小米")
    assert counts[-5] == 7 and counts[-5:].sum() == 7


def test_backfilled_history_is_picked_up_by_the_hourly_full_read(
    sqlite_store: SqliteStore,
) -> None:
    series = BucketSeries(timedelta(minutes=5), timedelta(days=1))
    now = T0 + timedelta(hours=6)
    sqlite_store.bulk_upsert([mention("first", at=T0)])
    series.refresh(sqlite_store, now, ("小米",))
    sqlite_store.bulk_upsert([mention(f"old{i}", at=T0 + timedelta(hours=2)) for i in range(3)])
    series.refresh(sqlite_store, now + timedelta(minutes=1), ("小米",))
    assert np.nansum(series.counts("小米")) == 1  # not yet: older than the re-read hour
    series.refresh(sqlite_store, now + timedelta(hours=1, minutes=1), ("小米",))
    assert np.nansum(series.counts("小米")) == 4


def test_a_source_outage_is_a_gap_not_a_drop_to_zero(sqlite_store: SqliteStore) -> None:
    series = BucketSeries(timedelta(minutes=5), timedelta(days=1))
    now = T0 + timedelta(hours=6)
    sqlite_store.bulk_upsert(
        [mention(f"w{i}", at=T0 + timedelta(minutes=10 * i)) for i in range(30)]
        + [mention(f"z{i}", platform="zhihu", at=T0 + timedelta(minutes=10 * i)) for i in range(30)]
    )
    down_from = now - timedelta(hours=1)
    sqlite_store.save_outage(Outage(source="w", platforms=("weibo",), start=down_from))
    series.refresh(sqlite_store, now, ("小米",))
    weibo = series.counts("小米", platform="weibo")
    zhihu = series.counts("小米", platform="zhihu")
    assert np.isnan(weibo[-12:]).all() and not np.isnan(weibo[-20]).any()
    assert not np.isnan(zhihu[-12:]).any()  # the other platform's source was fine
    assert np.isnan(series.counts("小米")[-12:]).all()  # the brand's total is partial: unknown
    assert series.outage_platforms("小米") == ["weibo"]
    # the source recovered 30 minutes ago: from then on counts are real again
    sqlite_store.save_outage(
        Outage(source="w", platforms=("weibo",), start=down_from, end=now - timedelta(minutes=30))
    )
    series.refresh(sqlite_store, now + timedelta(minutes=1), ("小米",))
    weibo = series.counts("小米", platform="weibo")
    assert np.isnan(weibo[-12:-6]).all() and not np.isnan(weibo[-5:]).any()
    assert series.outage_platforms("小米") == []
