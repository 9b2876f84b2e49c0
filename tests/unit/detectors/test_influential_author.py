from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from listener.detectors.influential_author import (
    InfluentialAuthorConfig,
    InfluentialAuthorDetector,
)
from listener.domain import Author
from listener.enrichers.influence import influence
from listener.stores.sqlite import SqliteStore
from tests.factories import T0, mention, said
from tests.unit.detectors.conftest import MakeContext

NOW = T0 + timedelta(hours=1)


def scored(native_id: str, followers: int, verified: bool, reposts: int, **kw):  # type: ignore[no-untyped-def]
    m = mention(
        native_id,
        "小米汽车刹车失灵，差点出事",
        sentiment=kw.pop("sentiment", "negative"),
        reposts=reposts,
        matched_terms={"小米": ("小米", "小米汽车")},
        author=Author(
            id=f"a{native_id}", name=f"博主{native_id}", followers=followers, verified=verified
        ),
        minutes=30,
        **kw,
    )
    score, parts = influence(m)
    return m.model_copy(
        update={
            "author": m.author.model_copy(update={"influence": score, "influence_parts": parts})
        }
    )


def test_influence_is_explained() -> None:
    big = scored("1", 3_000_000, True, 2000)
    small = scored("2", 80, False, 0)
    assert big.author.influence is not None and small.author.influence is not None
    assert big.author.influence > 0.8
    assert small.author.influence < 0.3
    assert set(big.author.influence_parts) == {"reach", "verified", "resonance", "relevance"}
    assert big.author.influence_parts["relevance"] == 1.0


def test_negative_post_by_an_influencer_raises_a_thread_signal(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    sqlite_store.bulk_upsert(
        [
            scored("big", 3_000_000, True, 2000),
            scored("small", 80, False, 0),
            scored("kind", 3_000_000, True, 2000, sentiment="positive"),
            scored("old", 3_000_000, True, 2000, at=T0 - timedelta(hours=5)),
        ]
    )
    signals = InfluentialAuthorDetector(InfluentialAuthorConfig()).detect(
        make_context(sqlite_store, NOW)
    )
    assert [(s.key, s.severity) for s in signals] == [("thread:weibo:big", "P1")]
    assert signals[0].parts["influence.verified"] == 1.0
    assert "粉丝 3,000,000，认证" in said(signals[0])


def test_the_brands_own_statement_is_an_answer_not_a_threat(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    """Issue 16, found by ``listener demo``: the brand's official reply to a crisis (a
    sober statement the model scores negative) was announced as an influential negative
    post. Posts by configured official accounts are never thread signals."""
    sqlite_store.bulk_upsert(
        [scored("official", 1_800_000, True, 500), scored("critic", 3_000_000, True, 2000)]
    )
    context = make_context(sqlite_store, NOW)
    own = replace(context, own_accounts=frozenset({("weibo", "aofficial")}))
    detector = InfluentialAuthorDetector(InfluentialAuthorConfig())
    assert {s.key for s in detector.detect(context)} == {
        "thread:weibo:official",
        "thread:weibo:critic",
    }
    assert [s.key for s in detector.detect(own)] == ["thread:weibo:critic"]
