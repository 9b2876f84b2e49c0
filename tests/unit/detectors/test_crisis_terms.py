from __future__ import annotations

from datetime import timedelta

from listener.detectors.crisis_terms import (
    CrisisTermsConfig,
    CrisisTermsDetector,
    emerging_terms,
    history_profile,
)
from listener.stores.sqlite import SqliteStore
from tests.factories import T0, mention, said
from tests.unit.detectors.conftest import MakeContext

NOW = T0 + timedelta(days=3)
HISTORY_TEXTS = [
    "小米手机拍照不错",
    "小米汽车续航怎么样",
    "今天去小米之家看了看",
    "小米的客服回复很快",
]
DETECTOR = CrisisTermsDetector(CrisisTermsConfig(), {"小米": {"xiaomi"}})


def history(store: SqliteStore) -> None:
    store.bulk_upsert(
        [mention(f"h{i}", HISTORY_TEXTS[i % 4], minutes=i * 30) for i in range(3 * 48 - 2)]
    )
    store.bulk_upsert([mention("old-crisis", "小米投诉", crisis_terms=("投诉",), minutes=600)])


def test_a_burst_of_crisis_vocabulary_with_a_new_topic(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    history(sqlite_store)
    sqlite_store.bulk_upsert(
        [
            mention(
                f"c{i}",
                f"小米汽车电池起火了，车主要求召回 #{i}",
                sentiment="negative",
                crisis_terms=("起火", "召回"),
                at=NOW - timedelta(minutes=20),
                minutes=i,
            )
            for i in range(8)
        ]
    )
    [signal] = DETECTOR.detect(make_context(sqlite_store, NOW, ("小米",)))
    assert signal.key == "brand" and signal.parts["crisis_mentions"] == 8
    assert "起火" in said(signal) and "召回" in said(signal)
    assert "新出现：" in said(signal) and "电池起火" in said(signal)
    assert len(signal.mention_ids) == 5


def test_usual_complaints_do_not_fire(sqlite_store: SqliteStore, make_context: MakeContext) -> None:
    history(sqlite_store)
    assert DETECTOR.detect(make_context(sqlite_store, NOW, ("小米",))) == []


def test_a_new_negative_topic_without_crisis_words(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    history(sqlite_store)
    sqlite_store.bulk_upsert(
        [
            mention(
                f"n{i}",
                f"小米SU7刹车失灵太吓人 {i}",
                sentiment="negative",
                at=NOW - timedelta(minutes=10),
                minutes=i,
            )
            for i in range(6)
        ]
    )
    [signal] = DETECTOR.detect(make_context(sqlite_store, NOW, ("小米",)))
    assert signal.severity == "P3" and "刹车失灵" in said(signal)


def test_emerging_terms_keep_the_longest_and_skip_the_brand() -> None:
    recent = ["小米发动机起火事件", "又一起发动机起火", "发动机起火太可怕", "小米回应"]
    history = history_profile(HISTORY_TEXTS * 10)
    assert emerging_terms(recent, history, {"小米"}, 3, 0.3, 0.005)[0] == "发动机起火"
    assert emerging_terms(recent[:2], history, set(), 3, 0.3, 0.005) == []


def test_a_brand_first_seen_minutes_ago_is_too_young_to_judge(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    sqlite_store.bulk_upsert(
        [
            mention(
                f"c{i}",
                f"小米汽车起火 {i}",
                sentiment="negative",
                crisis_terms=("起火",),
                at=NOW - timedelta(minutes=10),
                minutes=i,
            )
            for i in range(6)
        ]
    )
    signals = DETECTOR.detect(make_context(sqlite_store, NOW, ("小米",)))
    assert all(s.detector == "crisis_terms" for s in signals)  # no crash on the NaN past
