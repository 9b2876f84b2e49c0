from __future__ import annotations

from datetime import timedelta

import pytest

from listener.detectors.base import Bursts
from listener.detectors.negative_surge import NegativeSurgeConfig, NegativeSurgeDetector
from listener.domain import SentimentLabel
from listener.stats.share import share_surprise
from listener.stores.sqlite import SqliteStore
from tests.factories import T0, mention, said
from tests.unit.detectors.conftest import MakeContext

NOW = T0 + timedelta(days=2, minutes=2)
DETECTOR = NegativeSurgeDetector(NegativeSurgeConfig())


def steady(store: SqliteStore, per_bucket: int = 4, negative_every: int = 10) -> None:
    """Two days of steady volume; one mention in ``negative_every`` is negative."""
    labels: list[SentimentLabel] = ["neutral"] * (negative_every - 1) + ["negative"]
    store.bulk_upsert(
        [
            mention(
                f"h{b}-{i}", minutes=b * 5 + i, sentiment=labels[(b * per_bucket + i) % len(labels)]
            )
            for b in range(2 * 288)
            for i in range(per_bucket)
        ]
    )


def recent(store: SqliteStore, n: int, label: SentimentLabel, tag: str) -> None:
    store.bulk_upsert(
        [
            mention(f"{tag}{i}", sentiment=label, at=NOW - timedelta(minutes=9), minutes=i * 0.1)
            for i in range(n)
        ]
    )


def test_normal_volume_turning_angry_is_caught_by_the_share(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    steady(sqlite_store)
    recent(sqlite_store, 10, "negative", "angry")  # about the usual volume, all negative
    [signal] = DETECTOR.detect(make_context(sqlite_store, NOW))
    assert signal.key == "brand" and signal.parts["share"] > 0.6
    assert signal.parts["baseline_share"] == pytest.approx(0.1, abs=0.02)
    assert signal.parts["share_surprise"] >= 5
    assert "占比" in said(signal)


def test_the_usual_share_of_complaints_is_quiet(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    steady(sqlite_store)
    assert DETECTOR.detect(make_context(sqlite_store, NOW)) == []


def test_a_positive_wave_is_not_a_negative_surge(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    steady(sqlite_store)
    recent(sqlite_store, 60, "positive", "happy")
    assert DETECTOR.detect(make_context(sqlite_store, NOW)) == []


def test_coordinated_mentions_are_discounted(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    steady(sqlite_store)
    recent(sqlite_store, 10, "negative", "army")
    context = make_context(sqlite_store, NOW)
    assert DETECTOR.detect(context) != []  # without the first step's findings: a surge
    burst = Bursts(posts={"小米": (NOW - timedelta(minutes=9),) * 10})
    assert DETECTOR.detect(context.discounting([burst])) == []


def test_share_surprise() -> None:
    assert share_surprise(0, 10, 0.1) == 0
    assert share_surprise(9, 10, 0.1) > 7
    assert share_surprise(1, 10, 0.1) < 0.5
