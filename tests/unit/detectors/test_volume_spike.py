from __future__ import annotations

from datetime import timedelta

from listener.detectors.volume_spike import VolumeSpikeConfig, VolumeSpikeDetector
from listener.domain import Signal
from listener.stores.sqlite import SqliteStore
from tests.factories import T0, mention, said
from tests.unit.detectors.conftest import MakeContext

NOW = T0 + timedelta(days=3, minutes=2)


def history(store: SqliteStore, per_bucket: int = 2) -> None:
    """Three days of a steady trickle: ``per_bucket`` mentions every 5 minutes."""
    store.bulk_upsert(
        [mention(f"h{b}-{i}", minutes=b * 5 + i) for b in range(3 * 288) for i in range(per_bucket)]
    )


def test_a_burst_raises_a_signal_with_its_numbers(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    history(sqlite_store)
    sqlite_store.bulk_upsert(
        [mention(f"b{i}", at=NOW - timedelta(seconds=90), minutes=i / 100) for i in range(40)]
    )
    [signal] = VolumeSpikeDetector(VolumeSpikeConfig()).detect(make_context(sqlite_store, NOW))
    assert signal.brand == "小米" and signal.key == "brand"
    assert signal.parts["count"] >= 40 and signal.parts["surprise"] >= 5
    assert "提及" in said(signal) and signal.severity in ("P1", "P2")


def test_ordinary_traffic_is_quiet_and_the_cache_follows_new_buckets(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    history(sqlite_store)
    detector = VolumeSpikeDetector(VolumeSpikeConfig())
    assert detector.detect(make_context(sqlite_store, NOW)) == []
    later = NOW + timedelta(minutes=20)
    sqlite_store.bulk_upsert(
        [mention(f"b{i}", at=later - timedelta(minutes=1), minutes=i / 100) for i in range(40)]
    )
    [signal] = detector.detect(make_context(sqlite_store, later))  # fetches only new buckets
    assert signal.brand == "小米"


def test_per_platform_series(sqlite_store: SqliteStore, make_context: MakeContext) -> None:
    history(sqlite_store)
    sqlite_store.bulk_upsert(
        [mention(f"z{i}", platform="zhihu", at=NOW - timedelta(minutes=1)) for i in range(15)]
    )
    signals: list[Signal] = VolumeSpikeDetector(VolumeSpikeConfig(by_platform=True)).detect(
        make_context(sqlite_store, NOW)
    )
    assert "brand:zhihu" in {s.key for s in signals}
