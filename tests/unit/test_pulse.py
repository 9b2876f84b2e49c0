"""The incident's size and trend in words: what ``listener.pulse.measure`` says."""

from __future__ import annotations

from datetime import timedelta

from listener.pulse import measure
from listener.stats.series import BucketSeries
from listener.stores.sqlite import SqliteStore
from tests.factories import T0, mention


def negatives(store: SqliteStore, per_half_hour: list[int]) -> None:
    """Negative mentions, ``per_half_hour[i]`` spread over the i-th half hour from T0."""
    rows = []
    for half, n in enumerate(per_half_hour):
        rows += [
            mention(f"{half}-{i}", "小米太差了", sentiment="negative", minutes=30 * half + i)
            for i in range(n)
        ]
    store.bulk_upsert(rows)


def pulse_at(store: SqliteStore, opened: timedelta, now: timedelta):  # type: ignore[no-untyped-def]
    series = BucketSeries(timedelta(minutes=5), timedelta(days=1))
    series.refresh(store, T0 + now, ("小米",))
    return measure(series, "小米", T0 + opened, T0 + now)


def test_a_fading_crisis_is_said_to_be_slowing(sqlite_store: SqliteStore) -> None:
    negatives(sqlite_store, [4] * 8 + [20, 6])  # 4 hours calm, the crisis, then it fades
    assert pulse_at(sqlite_store, timedelta(hours=3), timedelta(hours=5)).trend == "slowing"


def test_a_new_incident_is_never_said_to_be_slowing(sqlite_store: SqliteStore) -> None:
    """Found by ``listener demo``: an influential complaint opened the incident on a calm
    afternoon whose negative chatter happened to dip, and the first alert read
    "负面提及是平时的 1.8 倍，已在放缓". Before an incident is an hour old the half hour
    before it is not the incident's: it can accelerate, not slow."""
    negatives(sqlite_store, [4] * 7 + [12, 5])
    young = pulse_at(sqlite_store, timedelta(hours=4, minutes=20), timedelta(hours=4, minutes=30))
    assert young.trend == "steady"


def test_a_new_incident_can_be_accelerating(sqlite_store: SqliteStore) -> None:
    negatives(sqlite_store, [4] * 9 + [30])
    rising = pulse_at(sqlite_store, timedelta(hours=4, minutes=50), timedelta(hours=5))
    assert rising.trend == "accelerating"
