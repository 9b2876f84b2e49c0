"""Collection: one crawl of one source, and the bookkeeping around it.

Collection never waits for the store: when it is down, the last known source state
(kept in memory) gives the cursor, and the new state is written once the store is back.
A source that breaks or recovers opens or closes an outage (detectors read those periods
as gaps, not quiet) and is announced to every notifier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from listener.config.models import Config
from listener.crawling import CrawlOutcome, CrawlRunner, crawl_spec
from listener.delivery import Deliveries
from listener.domain import Outage, SourceHealth, TrackedThread, utcnow
from listener.health import after_crawl
from listener.logs import get_logger
from listener.metrics import Metrics
from listener.stores.base import MentionQuery, Store, StoreUnavailable
from spiders.spec import SourceConfigs

log = get_logger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class CrawlReport:
    """What one crawl did, and the source's state after it."""

    outcome: CrawlOutcome
    health: SourceHealth

    @property
    def spooled(self) -> int:
        return self.outcome.result.items_spooled if self.outcome.result else 0


class Collection:
    def __init__(
        self,
        config: Config,
        store: Store,
        crawls: CrawlRunner,
        deliveries: Callable[[], Deliveries],
        metrics: Metrics,
    ) -> None:
        self.config = config
        self.store = store
        self.crawls = crawls
        self._deliveries = deliveries
        """Built only when a source changes state (a crawl command may never need it)."""
        self.metrics = metrics
        self._health: dict[str, SourceHealth] = {}
        """Each source's last state, for crawling on while the store is down."""

    def crawl(
        self,
        source: SourceConfigs,
        backfill_since: datetime | None = None,
        clock: datetime | None = None,
    ) -> CrawlReport:
        """Crawl one source now (``backfill_since``: everything since then; ``clock``: the
        crawl happens at this simulated time, not now)."""
        now = clock or utcnow()
        previous = self._known_health(source.name)
        cursor = previous.cursor if previous else None
        spec = crawl_spec(self.config, source, cursor, backfill_since, clock)
        none: tuple[TrackedThread, ...] = ()
        if tracked := self._guarded(lambda: self._tracked_threads(source, now), none):
            spec = spec.model_copy(update={"tracked": tracked})
        outcome = self.crawls.run(spec, source.timeout.total_seconds())
        if outcome.interrupted:
            # a shutdown is not an outage: no health change, no gap, no alert; the next
            # run starts from the same cursor (what was spooled is deduplicated by id)
            health = previous or SourceHealth(source=source.name)
            spooled = outcome.result.items_spooled if outcome.result else 0
            log.info("crawl stopped for shutdown", source=source.name, spooled=spooled)
            self.metrics.crawls.labels(source.name, "interrupted").inc()
            return CrawlReport(outcome, health)
        health = after_crawl(
            previous,
            source.name,
            now,
            outcome.result,
            outcome.failure,
            self.config.daemon.quiet_runs,
        )
        self._health[source.name] = health
        self._guarded(lambda: self.store.save_source_health(health), None)
        if health.healthy != (previous is None or previous.healthy):
            self._guarded(lambda: self._record_outage(source, previous, health, now), None)
            deliveries = self._deliveries()
            deliveries.queue(deliveries.everyone(), health)
        report = CrawlReport(outcome, health)
        self._measure(source.name, report)
        return report

    def _measure(self, source: str, report: CrawlReport) -> None:
        health = report.health
        self.metrics.collected.labels(source).inc(report.spooled)
        self.metrics.crawl_errors.labels(source).inc(health.last_errors)
        self.metrics.crawls.labels(source, "ok" if health.healthy else "unhealthy").inc()
        self.metrics.source_healthy.labels(source).set(1 if health.healthy else 0)
        if health.last_success_at is not None:
            self.metrics.last_success.labels(source).set(health.last_success_at.timestamp())
        fields = {
            "source": source,
            "spooled": report.spooled,
            "seconds": round(report.outcome.seconds, 2),
            "healthy": health.healthy,
        }
        if health.healthy:
            log.info("crawl finished", **fields)
        else:
            log.warning(
                "source unhealthy",
                reason=health.reason,
                **fields,
                action="check the source's config, cookies or URL; crawls continue",
            )

    def source_states(self) -> list[SourceHealth]:
        """The sources' states as this process last saw them (also while the store is down)."""
        return list(self._health.values())

    def _known_health(self, source: str) -> SourceHealth | None:
        """The source's state from the store, or the last one seen when the store is down."""
        try:
            stored = self.store.source_health(source)
        except StoreUnavailable:
            return self._health.get(source)
        known = self._health.get(source)
        if known is not None and (stored is None or _newer(known, stored)):
            return known  # written while the store was down: not yet saved
        return stored

    def _guarded(self, action: Callable[[], T], fallback: T) -> T:
        """A store step of a crawl: when the store is down, log it and go on collecting."""
        try:
            return action()
        except StoreUnavailable as exc:
            log.warning("store unavailable; collection continues into the spool", error=str(exc))
            return fallback

    def _tracked_threads(self, source: SourceConfigs, now: datetime) -> tuple[TrackedThread, ...]:
        """The recent negative threads of the source's platform with the most engagement."""
        limit, window = source.tracked_threads()
        if not limit:
            return ()
        found = self.store.search(
            MentionQuery(
                platforms=(source.platform,),
                sentiments=("negative",),
                since=now - window,
                order="engagement",
                limit=limit * 3,
            )
        )
        threads: dict[str, set[str]] = {}
        for mention in found.mentions:
            threads.setdefault(mention.thread_id or mention.id, set()).update(mention.brands)
        return tuple(
            TrackedThread(native_id=root.split(":", 1)[1], brands=tuple(sorted(brands)))
            for root, brands in list(threads.items())[:limit]
        )

    def _record_outage(
        self,
        source: SourceConfigs,
        previous: SourceHealth | None,
        health: SourceHealth,
        now: datetime,
    ) -> None:
        """Open an outage when a source breaks (from its last success: what came after is
        unknown), close it when the source recovers."""
        if not health.healthy:
            start = (previous.last_success_at if previous else None) or now
            self.store.save_outage(
                Outage(
                    source=source.name,
                    platforms=source.platforms(),
                    start=start,
                    reason=health.reason,
                )
            )
            return
        for outage in self.store.outages(now - timedelta(days=366)):
            if outage.source == source.name and outage.end is None:
                self.store.save_outage(outage.model_copy(update={"end": now}))


def _newer(a: SourceHealth, b: SourceHealth) -> bool:
    at, bt = a.last_run_at, b.last_run_at
    return at is not None and (bt is None or at > bt)
