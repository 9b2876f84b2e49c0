"""Drain the spool: claim a batch, score it, enrich it, upsert it, acknowledge it.

Nothing is acknowledged before the store took it: when the store is down, the
batch goes back to the spool and is retried after ``spool.retry_delay``, doubled for
every failure in a row (at most ``MAX_BACKOFF``); the first batch the store takes
again makes every batch still waiting out that backoff available at once, so posts
collected during an outage are indexed as soon as it ends, not minutes later. When
the store rejects single documents, those stay in the spool with the reason.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from listener.config.models import SpoolConfig
from listener.domain import Mention
from listener.enrichers.base import Enricher
from listener.enrichers.pipeline import enrich, with_history
from listener.logs import get_logger
from listener.metrics import Metrics
from listener.retry import backoff
from listener.scorers.base import Scorer
from listener.spool import Hold, Spool
from listener.stores.base import Store, StoreError

log = get_logger(__name__)
MAX_BACKOFF = timedelta(minutes=5)


def scored_toward_brands(scorer: Scorer, mentions: Sequence[Mention]) -> dict[str, Mention]:
    """Each mention scored toward each of its brands (one model call for the batch): its
    ``sentiment`` is toward its first brand, ``brand_sentiment`` holds one score per brand
    where it has two or more; a mention with no brand is scored as a whole."""
    texts: list[str] = []
    targets: list[str | None] = []
    for m in mentions:
        for brand in m.brands or (None,):
            texts.append(m.text)
            targets.append(m.target(brand) if brand else None)
    scores = iter(scorer.score(texts, targets))
    out = {}
    for m in mentions:
        if not m.brands:
            out[m.id] = m.model_copy(update={"sentiment": next(scores)})
            continue
        per_brand = {brand: next(scores) for brand in m.brands}
        update: dict[str, object] = {"sentiment": per_brand[m.brands[0]]}
        if len(per_brand) > 1:
            update["brand_sentiment"] = per_brand
        out[m.id] = m.model_copy(update=update)
    return out


@dataclass(frozen=True)
class BatchOutcome:
    claimed: int
    indexed: int
    failed: int


class EnrichWorker:
    def __init__(
        self,
        spool: Spool,
        store: Store,
        scorer: Scorer,
        config: SpoolConfig,
        enrichers: Sequence[Enricher],
        metrics: Metrics,
        rng: random.Random | None = None,
    ) -> None:
        self.spool = spool
        self.rng = rng
        """Draws the backoff's jitter (seeded in tests)."""
        self.store = store
        self.scorer = scorer
        self.config = config
        self.enrichers = list(enrichers)
        self.metrics = metrics
        self.store_healthy = True
        self.failures = 0
        """Store failures in a row: each doubles the wait before the batch is retried."""

    def run_once(self) -> BatchOutcome:
        started = time.monotonic()
        entries = self.spool.claim(self.config.batch_size, self.config.lease)
        if not entries:
            return BatchOutcome(0, 0, 0)
        seqs: dict[str, list[int]] = defaultdict(list)
        latest: dict[str, Mention] = {}
        for entry in entries:  # a post spooled twice is indexed once, newest copy wins
            seqs[entry.mention.id].append(entry.seq)
            latest[entry.mention.id] = entry.mention
        all_seqs = [e.seq for e in entries]
        unscored = [m for m in latest.values() if m.sentiment is None]
        try:
            fresh = scored_toward_brands(self.scorer, unscored)
        except Exception as exc:
            log.error(
                "scoring failed; batch kept in spool",
                error=str(exc),
                batch=len(entries),
                retry_in=self.config.retry_delay.total_seconds(),
            )
            self.spool.release(
                dict.fromkeys(all_seqs, f"scoring failed: {exc}"),
                self.config.retry_delay,
                Hold.SCORING,
            )
            return BatchOutcome(len(entries), 0, len(entries))
        try:
            stored = self.store.get_many(list(latest))
            mentions = [
                # imported or replayed mentions may arrive labelled: their label is kept
                with_history(enrich(fresh.get(m.id, m), self.enrichers), stored.get(m.id))
                for m in latest.values()
            ]
            report = self.store.bulk_upsert(mentions)
        except StoreError as exc:
            delay = self.backoff()
            if self.store_healthy:
                log.error(
                    "store unavailable; mentions stay in the spool until it is back",
                    error=str(exc),
                    batch=len(entries),
                    retry_in=delay.total_seconds(),
                )
            self.store_healthy = False
            self.failures += 1
            self.spool.release(dict.fromkeys(all_seqs, str(exc)), delay, Hold.STORE_DOWN)
            return BatchOutcome(len(entries), 0, len(entries))
        if not self.store_healthy:
            waiting = self.spool.retry_now(Hold.STORE_DOWN)
            log.info("store reachable again; indexing resumed", retried_now=waiting)
        self.store_healthy = True
        self.failures = 0
        for mention_id, reason in report.failed.items():
            log.warning(
                "store rejected a mention; kept in spool for retry", id=mention_id, reason=reason
            )
        self.spool.ack([seq for i in report.indexed for seq in seqs[i]])
        self.spool.release(
            {seq: r for i, r in report.failed.items() for seq in seqs[i]}, self.config.retry_delay
        )
        self.metrics.indexed.inc(len(report.indexed))
        negative = sum(1 for m in mentions if m.sentiment and m.sentiment.label == "negative")
        log.info(
            "batch indexed",
            mentions=len(report.indexed),
            failed=len(report.failed),
            seconds=round(time.monotonic() - started, 3),
            negative_share=round(negative / len(mentions), 3),
        )
        return BatchOutcome(len(entries), len(report.indexed), len(report.failed))

    def backoff(self) -> timedelta:
        """``retry_delay`` doubled for every failure in a row, at most ``MAX_BACKOFF``."""
        wait = backoff(
            self.failures + 1,
            self.config.retry_delay.total_seconds(),
            MAX_BACKOFF.total_seconds(),
            rng=self.rng,
        )
        return timedelta(seconds=wait)

    def drain(self, stop: threading.Event | None = None) -> int:
        """Index until the spool has nothing ready (or ``stop`` is set); returns how many."""
        total = 0
        while stop is None or not stop.is_set():
            outcome = self.run_once()
            total += outcome.indexed
            if outcome.claimed == 0 or outcome.indexed == 0:
                break
        return total
