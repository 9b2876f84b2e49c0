from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from listener.config.models import SpoolConfig
from listener.domain import Mention, Score
from listener.enrich_worker import EnrichWorker
from listener.enrichers.crisis_terms import CrisisTermsEnricher, CrisisTermsEnricherConfig
from listener.enrichers.influence import InfluenceConfig, InfluenceEnricher
from listener.metrics import Metrics
from listener.scorers.lexicon import LexiconScorer
from listener.spool import Spool
from listener.stores.base import StoreUnavailable, UpsertReport
from listener.stores.sqlite import SqliteStore
from tests.factories import mention

CONFIG = SpoolConfig(batch_size=10, retry_delay=timedelta(milliseconds=1))

ENRICHERS = (
    InfluenceEnricher(InfluenceConfig()),
    CrisisTermsEnricher(CrisisTermsEnricherConfig(), {"": ("投诉",)}),
)


class FlakyStore(SqliteStore):
    """A real SQLite store that can be told to be down, or to reject some ids."""

    down = False
    reject: frozenset[str] = frozenset()

    def bulk_upsert(self, mentions: Sequence[Mention]) -> UpsertReport:
        if self.down:
            raise StoreUnavailable("connection refused")
        accepted = [m for m in mentions if m.id not in self.reject]
        report = super().bulk_upsert(accepted)
        report.failed.update(
            {m.id: "mapper_parsing_exception" for m in mentions if m.id in self.reject}
        )
        return report


class BrokenScorer:
    version = "broken"

    def score(
        self, texts: Sequence[str], targets: Sequence[str | None] | None = None
    ) -> list[Score]:
        raise RuntimeError("model file truncated")


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[Spool, FlakyStore]]:
    store = FlakyStore(tmp_path / "store.sqlite3")
    store.setup()
    with Spool(tmp_path / "spool.sqlite3") as spool:
        yield spool, store
    store.close()


def worker(spool: Spool, store: FlakyStore, scorer: object = None) -> EnrichWorker:
    return EnrichWorker(spool, store, scorer or LexiconScorer(), CONFIG, ENRICHERS, Metrics())


def test_batches_are_scored_enriched_indexed_and_acknowledged(
    parts: tuple[Spool, FlakyStore],
) -> None:
    spool, store = parts
    spool.put_many(
        [
            mention("1", "小米太垃圾了，我要投诉", sentiment=None, followers=10**6),
            mention("2", "小米真不错", sentiment=None),
        ]
    )
    assert worker(spool, store).drain() == 2
    assert spool.depth().total == 0
    bad = store.get("weibo:1")
    assert bad is not None and bad.sentiment is not None
    assert bad.sentiment.label == "negative" and bad.crisis_terms == ("投诉",)
    assert bad.author.influence_parts == {
        "reach": 0.857,
        "verified": 0.0,
        "resonance": 0.0,
        "relevance": 0.25,
    }
    assert bad.author.influence == 0.4535  # 0.5 × reach + 0.1 × relevance


def test_store_outage_keeps_everything_in_the_spool(parts: tuple[Spool, FlakyStore]) -> None:
    spool, store = parts
    spool.put_many([mention(str(i)) for i in range(25)])
    store.down = True
    w = worker(spool, store)
    assert w.drain() == 0 and not w.store_healthy
    assert spool.depth().total == 25
    store.down = False
    time.sleep(0.01)  # past the retry delay
    assert w.drain() == 25 and w.store_healthy
    assert spool.depth().total == 0


def test_rejected_documents_stay_in_the_spool_with_the_reason(
    parts: tuple[Spool, FlakyStore],
) -> None:
    spool, store = parts
    store.reject = frozenset({"weibo:2"})
    spool.put_many([mention(str(i)) for i in range(4)])
    worker(spool, store).run_once()
    assert store.get("weibo:1") is not None and store.get("weibo:2") is None
    depth = spool.depth()
    assert depth.total == 1 and depth.dead == 0


def test_scoring_failure_keeps_the_batch(parts: tuple[Spool, FlakyStore]) -> None:
    spool, store = parts
    spool.put_many([mention("1")])
    outcome = worker(spool, store, BrokenScorer()).run_once()
    assert (outcome.claimed, outcome.indexed) == (1, 0)
    assert spool.depth().total == 1


def test_a_post_spooled_twice_is_indexed_once_newest_copy_wins(
    parts: tuple[Spool, FlakyStore],
) -> None:
    spool, store = parts
    spool.put_many([mention("1", reposts=1)])
    spool.put_many([mention("1", reposts=80)])
    assert worker(spool, store).run_once().indexed == 1
    assert spool.depth().total == 0
    stored = store.get("weibo:1")
    assert stored is not None and stored.engagement.reposts == 80


def test_recollected_posts_keep_their_engagement_history(
    parts: tuple[Spool, FlakyStore],
) -> None:
    spool, store = parts
    first = mention("1", reposts=3)
    w = worker(spool, store)
    for step, reposts in enumerate([3, 40, 120]):
        spool.put_many(
            [
                first.model_copy(
                    update={
                        "collected_at": first.collected_at + timedelta(minutes=10 * step),
                        "engagement": first.engagement.model_copy(update={"reposts": reposts}),
                    }
                )
            ]
        )
        w.drain()
    stored = store.get("weibo:1")
    assert stored is not None and stored.engagement.reposts == 120
    assert [s.engagement.reposts for s in stored.snapshots] == [3, 40]


def test_a_revisit_that_sees_the_truncated_text_keeps_the_full_one(
    parts: tuple[Spool, FlakyStore],
) -> None:
    spool, store = parts
    full = mention("1", text="小米刹车失灵，完整的长文在这里，还有很多细节", reposts=3)
    full = full.model_copy(update={"long_text": True})
    truncated = full.model_copy(
        update={
            "text": "小米刹车失灵，完整的...全文",
            "collected_at": full.collected_at + timedelta(minutes=10),
            "engagement": full.engagement.model_copy(update={"reposts": 90}),
        }
    )
    w = worker(spool, store)
    for copy in (full, truncated):
        spool.put_many([copy])
        w.drain()
    stored = store.get("weibo:1")
    assert stored is not None and stored.text == full.text and stored.long_text
    assert stored.engagement.reposts == 90


def test_a_revisit_does_not_move_a_post_in_time(parts: tuple[Spool, FlakyStore]) -> None:
    """A Zhihu question has no time in search results (first seen is used): seen again
    an hour later it must not count as a new mention in a new bucket."""
    spool, store = parts
    first = mention("q", minutes=0)
    later = first.model_copy(
        update={
            "published_at": first.published_at + timedelta(hours=1),
            "collected_at": first.collected_at + timedelta(hours=1),
        }
    )
    w = worker(spool, store)
    for copy in (first, later):
        spool.put_many([copy])
        w.drain()
    stored = store.get("weibo:q")
    assert stored is not None and stored.published_at == first.published_at
    assert len(stored.snapshots) == 1


def test_a_post_from_the_future_is_filed_at_its_collection_time(
    parts: tuple[Spool, FlakyStore],
) -> None:
    spool, store = parts
    skewed = mention("1").model_copy(
        update={"published_at": mention("1").collected_at + timedelta(hours=3)}
    )
    spool.put_many([skewed])
    worker(spool, store).drain()
    stored = store.get("weibo:1")
    assert stored is not None and stored.published_at == skewed.collected_at


def test_retries_back_off_while_the_store_stays_down(parts: tuple[Spool, FlakyStore]) -> None:
    spool, store = parts
    store.down = True
    w = EnrichWorker(
        spool,
        store,
        LexiconScorer(),
        SpoolConfig(retry_delay=timedelta(seconds=30)),
        ENRICHERS,
        Metrics(),
    )
    waits = []
    for _ in range(6):
        waits.append(w.backoff().total_seconds())
        spool.put_many([mention("1")])
        w.run_once()
    nominal = [30, 60, 120, 240, 300, 300]  # doubling, capped at five minutes
    assert all(0.9 * n <= wait <= n for wait, n in zip(waits, nominal, strict=True)), waits
    store.down = False
    spool.put_many([mention("2")])
    w.run_once()
    assert 27 <= w.backoff().total_seconds() <= 30  # back to the configured delay


def test_batches_waiting_out_a_backoff_go_as_soon_as_the_store_is_back(
    parts: tuple[Spool, FlakyStore],
) -> None:
    spool, store = parts
    store.reject = frozenset({"weibo:9"})
    slow = SpoolConfig(batch_size=2, retry_delay=timedelta(minutes=1))
    w = EnrichWorker(spool, store, LexiconScorer(), slow, ENRICHERS, Metrics())
    spool.put_many([mention("9")])
    w.run_once()  # rejected by the store: waits its retry delay, whatever happens
    store.down = True
    spool.put_many([mention(str(i)) for i in range(4)])
    assert w.run_once().failed == w.run_once().failed == 2  # released for 1, then 2 minutes
    assert spool.depth().delayed == 5
    store.down = False
    spool.put_many([mention("7")])  # collected once the store is back: indexed at once
    assert w.drain() == 5  # …and with it everything the outage held back
    assert store.get("weibo:3") is not None and store.get("weibo:9") is None
    depth = spool.depth()
    assert depth.total == 1 and depth.delayed == 1  # the rejected one keeps its delay


class TargetScorer:
    """Records what it was asked; positive toward XiaoMi, negative toward anything else."""

    version = "target"

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[str | None] | None]] = []

    def score(
        self, texts: Sequence[str], targets: Sequence[str | None] | None = None
    ) -> list[Score]:
        self.calls.append((list(texts), list(targets) if targets is not None else None))
        label = {"XiaoMi": "positive", None: "neutral"}
        return [
            Score(
                label=label.get(t, "negative"),  # type: ignore[arg-type]
                negative=0.1,
                positive=0.1,
                model_version=self.version,
            )
            for t in (targets or [None] * len(texts))
        ]


def test_each_mention_is_scored_toward_each_of_its_brands(
    parts: tuple[Spool, FlakyStore],
) -> None:
    spool, store = parts
    versus = mention(
        "1",
        "XiaoMi的续航比蔚来强多了",
        sentiment=None,
        brands=("小米", "蔚来"),
        matched_terms={"小米": ("xiaomi",), "蔚来": ("蔚来",)},
    )
    spool.put_many([versus, mention("2", "今天天气不错", sentiment=None, brands=())])
    scorer = TargetScorer()
    assert worker(spool, store, scorer).drain() == 2
    ((texts, targets),) = scorer.calls  # one model call for the batch
    # the matched term as the text writes it; a mention without a brand as a whole
    assert sorted(zip(texts, targets or [], strict=True), key=str) == sorted(
        [(versus.text, "XiaoMi"), (versus.text, "蔚来"), ("今天天气不错", None)], key=str
    )
    stored = store.get("weibo:1")
    assert stored is not None and stored.sentiment is not None
    assert stored.sentiment.label == "positive"  # toward its first brand
    assert {b: s.label for b, s in stored.brand_sentiment.items()} == {
        "小米": "positive",
        "蔚来": "negative",
    }
    plain = store.get("weibo:2")
    assert plain is not None and plain.sentiment is not None and plain.brand_sentiment == {}
    assert plain.sentiment.label == "neutral"
