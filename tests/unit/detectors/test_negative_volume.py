from __future__ import annotations

from datetime import timedelta

from listener.detectors.base import DetectContext
from listener.detectors.negative_volume import NegativeVolumeConfig, NegativeVolumeDetector
from listener.domain import Signal
from listener.stores.sqlite import SqliteStore
from tests.factories import T0, mention

DETECTOR = NegativeVolumeDetector(NegativeVolumeConfig(min_count=5, ratio=3.0))
NOW = T0 + timedelta(hours=24)


def detect(store: SqliteStore) -> list[Signal]:
    return list(DETECTOR.detect(DetectContext(store=store, now=NOW, brands=("小米", "蔚来"))))


def background(store: SqliteStore, per_hour: int) -> None:
    """A steady trickle of negative mentions over the baseline day."""
    store.bulk_upsert(
        [
            mention(f"bg{h}-{i}", sentiment="negative", minutes=h * 60 + i * (60 / per_hour))
            for h in range(23)
            for i in range(per_hour)
        ]
    )


def test_fires_on_a_surge_and_explains_it(sqlite_store: SqliteStore) -> None:
    background(sqlite_store, per_hour=4)  # ≈1 per 15 minutes
    sqlite_store.bulk_upsert(
        [
            mention(f"s{i}", sentiment="negative", at=NOW - timedelta(minutes=10), minutes=i * 0.1)
            for i in range(30)
        ]
    )
    [sig] = detect(sqlite_store)
    assert sig.brand == "小米" and sig.key == "negative-volume"
    assert sig.parts["count"] == 30
    assert 0.9 < sig.parts["expected"] < 1.1
    assert sig.severity == "P1"
    assert "15 分钟内 30 条" in sig.summary


def test_quiet_brand_with_a_few_complaints_is_not_news(sqlite_store: SqliteStore) -> None:
    sqlite_store.bulk_upsert(
        [mention(f"s{i}", sentiment="negative", at=NOW - timedelta(minutes=5)) for i in range(4)]
    )
    assert detect(sqlite_store) == []


def test_quiet_brand_getting_a_burst_fires(sqlite_store: SqliteStore) -> None:
    sqlite_store.bulk_upsert(
        [
            mention(f"s{i}", sentiment="negative", brands=("蔚来",), at=NOW - timedelta(minutes=8))
            for i in range(12)
        ]
    )
    [sig] = detect(sqlite_store)
    assert sig.brand == "蔚来"


def test_normal_volume_does_not_fire(sqlite_store: SqliteStore) -> None:
    background(sqlite_store, per_hour=40)
    sqlite_store.bulk_upsert(
        [
            mention(f"s{i}", sentiment="negative", at=NOW - timedelta(minutes=14), minutes=i * 1.4)
            for i in range(10)
        ]
    )
    assert detect(sqlite_store) == []


def test_positive_surge_is_not_negative(sqlite_store: SqliteStore) -> None:
    sqlite_store.bulk_upsert(
        [mention(f"p{i}", sentiment="positive", at=NOW - timedelta(minutes=5)) for i in range(50)]
    )
    assert detect(sqlite_store) == []
