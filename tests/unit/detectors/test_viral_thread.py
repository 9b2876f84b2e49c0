from __future__ import annotations

from datetime import timedelta

from listener.detectors.viral_thread import ViralThreadConfig, ViralThreadDetector
from listener.domain import Engagement, EngagementSnapshot
from listener.stores.sqlite import SqliteStore
from tests.factories import T0, mention, said
from tests.unit.detectors.conftest import MakeContext

NOW = T0 + timedelta(hours=1)


def growing(native_id: str, counts: list[int], followers: int = 5000):  # type: ignore[no-untyped-def]
    """A negative post collected every 10 minutes with these repost counts."""
    snaps = tuple(
        EngagementSnapshot(
            at=T0 + timedelta(minutes=10 * (i + 1)), engagement=Engagement(reposts=c)
        )
        for i, c in enumerate(counts[:-1])
    )
    return mention(
        native_id,
        "小米汽车起火，太可怕了",
        sentiment="negative",
        followers=followers,
        reposts=counts[-1],
        snapshots=snaps,
    ).model_copy(update={"collected_at": T0 + timedelta(minutes=10 * len(counts))})


def test_a_fast_growing_negative_thread_is_flagged_before_it_peaks(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    sqlite_store.bulk_upsert(
        [
            growing("fast", [20, 55, 100, 160, 230, 320], followers=200_000),
            growing("slow", [2, 3, 4, 5, 6, 7]),
        ]
    )
    detector = ViralThreadDetector(ViralThreadConfig(viral=500))
    [signal] = detector.detect(make_context(sqlite_store, NOW, ("小米",)))
    assert signal.key == "thread:weibo:fast" and signal.mention_ids == ("weibo:fast",)
    assert signal.parts["reposts"] == 320 and signal.parts["predicted"] >= 500
    assert "预计 24 小时达" in said(signal)


def test_positive_or_already_viral_posts_are_not_forecast(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    hot = growing("hot", [200, 400, 700])
    sqlite_store.bulk_upsert(
        [
            hot,
            growing("nice", [20, 55, 100, 160, 230, 320]).model_copy(
                update={"sentiment": hot.sentiment.model_copy(update={"label": "positive"})}
            ),  # type: ignore[union-attr]
        ]
    )
    detector = ViralThreadDetector(ViralThreadConfig(viral=500))
    assert detector.detect(make_context(sqlite_store, NOW, ("小米",))) == []


def test_a_repost_count_printed_as_a_floor_is_not_read_as_growth(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    fast = growing("fast", [20, 55, 100, 160, 230, 320], followers=200_000)
    floor = fast.engagement.model_copy(update={"at_least": ("reposts",)})
    sqlite_store.bulk_upsert([fast.model_copy(update={"engagement": floor})])
    detector = ViralThreadDetector(ViralThreadConfig(viral=500))
    assert detector.detect(make_context(sqlite_store, NOW, ("小米",))) == []
