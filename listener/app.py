"""The daemon's components built from one Config, and the work each job does.

The scheduler (``listener.daemon``) and the CLI call these methods; keeping the
work here means ``listener crawl`` and the daemon's crawl job are the same code.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from alerts.base import (
    Delivery,
    Notifier,
    NotifierAuthError,
    NotifierError,
    NotifierRejected,
    RetryAfter,
)
from alerts.slack import SlackNotifier
from alerts.slack_socket import SlackActions
from listener.config.models import Config, DigestGroup
from listener.crawling import CrawlOutcome, CrawlRunner, crawl_spec
from listener.detectors.base import DetectContext, Detector, detect_pass
from listener.digest import build_digest
from listener.domain import (
    Digest,
    Incident,
    IncidentAction,
    IncidentEvent,
    Mention,
    Outage,
    SourceHealth,
    TrackedThread,
    VolumePoint,
    utcnow,
)
from listener.enrich_worker import EnrichWorker
from listener.health import after_crawl
from listener.incidents import IncidentManager
from listener.kibana import discover_url
from listener.logs import get_logger
from listener.metrics import Metrics
from listener.outbox import Message, NotifierState, Outbox, OutboxItem
from listener.plugins import build_detectors, build_notifiers, build_scorer, build_store
from listener.retry import backoff
from listener.routing import Router
from listener.scorers.base import Scorer
from listener.spool import Spool
from listener.stats.series import BucketSeries
from listener.stores.base import BucketQuery, MentionQuery, Store, StoreUnavailable
from spiders.spec import SourceConfigs

log = get_logger(__name__)
TOP_MENTIONS = 5
CHART_HOURS = 6
CHART_BUCKET = timedelta(minutes=15)
SENT_KEPT = timedelta(days=7)
"""Delivered messages stay in the outbox this long (what was sent, for operators)."""
T = TypeVar("T")


@dataclass
class App:
    config: Config
    store: Store
    spool: Spool
    scorer: Scorer
    detectors: list[Detector]
    notifiers: dict[str, Notifier]
    metrics: Metrics
    incidents: IncidentManager
    router: Router
    worker: EnrichWorker
    crawls: CrawlRunner
    series: BucketSeries
    outbox: Outbox
    store_ready: bool = True
    """False until the store's schema/templates are in place (it was down at start)."""
    _health: dict[str, SourceHealth] = field(default_factory=dict)
    """Each source's last state, for crawling on while the store is down."""
    on_queued: Callable[[], None] | None = None
    """Called after messages were queued (the daemon wakes its delivery job)."""
    _paused: dict[str, str] = field(default_factory=dict)
    """Notifiers whose credentials were refused (name → reason): their messages wait."""

    @classmethod
    def build(cls, config: Config) -> App:
        store = build_store(config)
        ready = True
        try:
            store.setup()
        except StoreUnavailable as exc:
            ready = False  # collect into the spool now; index once the store answers
            log.warning("store unavailable at start; collecting into the spool", error=str(exc))
        spool = Spool(config.spool_path)
        scorer = build_scorer(config)
        metrics = Metrics()
        outbox = Outbox(config.outbox_path)
        notifiers = build_notifiers(config, lambda name: NotifierState(outbox, name))
        return cls(
            config=config,
            store=store,
            spool=spool,
            scorer=scorer,
            detectors=build_detectors(config),
            notifiers=notifiers,
            metrics=metrics,
            incidents=IncidentManager(store, config.incidents),
            router=Router(config.routing, notifiers, config.teams),
            worker=EnrichWorker(
                spool,
                store,
                scorer,
                config.spool,
                config.detection.vocabulary(config.brands),
                metrics,
            ),
            crawls=CrawlRunner(grace=config.daemon.shutdown_grace.total_seconds()),
            series=BucketSeries(config.detection.bucket, config.detection.history),
            outbox=outbox,
            store_ready=ready,
        )

    def close(self) -> None:
        for notifier in self.notifiers.values():
            notifier.close()
        self.outbox.close()
        self.spool.close()
        self.store.close()

    # -- crawl ---------------------------------------------------------------------------

    def crawl(
        self, source: SourceConfigs, backfill_since: datetime | None = None
    ) -> tuple[CrawlOutcome, SourceHealth]:
        """Crawl one source. Collection never waits for the store: when it is down the
        last known source state (kept in memory) gives the cursor, and the new state is
        written once the store is back."""
        previous = self._known_health(source.name)
        cursor = previous.cursor if previous else None
        spec = crawl_spec(self.config, source, cursor, backfill_since)
        none: tuple[TrackedThread, ...] = ()
        if tracked := self._guarded(lambda: self._tracked_threads(source), none):
            spec = spec.model_copy(update={"tracked": tracked})
        outcome = self.crawls.run(spec, source.timeout.total_seconds())
        health = after_crawl(
            previous,
            source.name,
            utcnow(),
            outcome.result,
            outcome.failure,
            self.config.daemon.quiet_runs,
        )
        self._health[source.name] = health
        self._guarded(lambda: self.store.save_source_health(health), None)
        was_healthy = previous is None or previous.healthy
        if health.healthy != was_healthy:
            self._guarded(lambda: self._record_outage(source, previous, health), None)
            self._announce_source(health)
        spooled = outcome.result.items_spooled if outcome.result else 0
        self.metrics.collected.labels(source.name).inc(spooled)
        self.metrics.crawl_errors.labels(source.name).inc(health.last_errors)
        self.metrics.crawls.labels(source.name, "ok" if health.healthy else "unhealthy").inc()
        self.metrics.source_healthy.labels(source.name).set(1 if health.healthy else 0)
        if health.last_success_at is not None:
            self.metrics.last_success.labels(source.name).set(health.last_success_at.timestamp())
        fields = {
            "source": source.name,
            "spooled": spooled,
            "seconds": round(outcome.seconds, 2),
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
        return outcome, health

    # -- index ---------------------------------------------------------------------------

    def index(self, stop: threading.Event | None = None) -> int:
        if not self.store_ready:
            try:
                self.store.setup()  # templates first: no document may land unmapped
                self.store_ready = True
            except StoreUnavailable:
                self.metrics.store_up.set(0)
                return 0
        indexed = self.worker.drain(stop)
        for state, value in self.spool.depth().as_dict().items():
            self.metrics.spool_depth.labels(state).set(value)
        self.metrics.store_up.set(1 if self.worker.store_healthy else 0)
        return indexed

    # -- detect and notify ---------------------------------------------------------------

    def detect(self, now: datetime | None = None) -> list[IncidentEvent]:
        now = now or utcnow()
        unhealthy = tuple(h.source for h in self.store.all_source_health() if not h.healthy)
        context = DetectContext.prepare(
            self.store, now, tuple(b.name for b in self.config.brands), self.series, unhealthy
        )
        signals = detect_pass(self.detectors, context)
        events = self.incidents.apply(signals, now)
        official = {b.name: tuple(a.id for a in b.official_accounts) for b in self.config.brands}
        events += self.incidents.check_responses(now, official)
        for event in events:
            self._announce(event, now, unhealthy)
        self.metrics.open_incidents.set(len(self.store.list_incidents(open_only=True)))
        return events

    def _announce(
        self, event: IncidentEvent, now: datetime, unhealthy: tuple[str, ...] = ()
    ) -> None:
        if not self.incidents.should_notify(event.incident, now):
            return
        enriched = self._enrich(event, now, unhealthy).model_copy(
            update={"volume": self.volume(event.incident.brand, now)}
        )
        queued = self._queue(self.router.deliveries(event.incident, now), enriched, now)
        if queued:  # nothing routed (quiet hours): announced later, once someone is on duty
            self.incidents.mark_notified(event.incident, now)

    def act(self, incident_id: str, action: IncidentAction) -> IncidentEvent | None:
        """A person acted on an incident (a Slack button): record it, tell the thread."""
        event = self.incidents.act(incident_id, action)
        if event is None:
            return None
        log.info("incident action", incident=incident_id, action=action.kind, by=action.by)
        enriched = self._enrich(event, action.at)
        routed = self.router.deliveries(event.incident, action.at, on_duty_only=False)
        self._queue(routed, enriched, action.at)
        self.incidents.mark_notified(event.incident, action.at)
        return enriched

    def _enrich(
        self, event: IncidentEvent, now: datetime, unhealthy: tuple[str, ...] = ()
    ) -> IncidentEvent:
        """What people need with a change: the posts behind it, where to look further, a
        warning when collection is impaired (the numbers may be low), local times."""
        shown = event.incident
        if unhealthy:
            shown = shown.model_copy(
                update={
                    "title": f"{shown.title}（注意：数据源异常：{'、'.join(unhealthy)}）",
                    "parts": {**shown.parts, "unhealthy_sources": float(len(unhealthy))},
                }
            )
        links = {}
        if self.config.kibana is not None:
            margin = self.config.incidents.resolve_after
            links["kibana"] = discover_url(self.config.kibana, event.incident, margin)
        return event.model_copy(
            update={
                "incident": shown,
                "top_mentions": tuple(self._top_mentions(event.incident)),
                "links": links,
                "timezone": self.config.daemon.timezone,
            }
        )

    def slack_actions(self) -> list[SlackActions]:
        """A Socket Mode listener for each Slack notifier with an app token."""
        listeners = []
        for notifier in self.notifiers.values():
            if isinstance(notifier, SlackNotifier) and notifier.interactive:
                token = notifier.config.app_token
                assert token is not None and notifier.client is not None
                listeners.append(
                    SlackActions(token.get_secret_value(), notifier.client, self._on_click)
                )
        return listeners

    def _on_click(self, incident_id: str, action: IncidentAction) -> None:
        self.act(incident_id, action)

    @property
    def paused_notifiers(self) -> dict[str, str]:
        """Notifiers whose credentials were refused, with the reason."""
        return dict(self._paused)

    def _queue(
        self,
        deliveries: list[tuple[Notifier, Delivery]],
        message: Message,
        now: datetime | None = None,
    ) -> int:
        """Queue a message for each delivery (a change queued before is not queued again);
        returns how many deliveries there were."""
        at = (now or utcnow()).timestamp()
        for notifier, to in deliveries:
            self.outbox.put(notifier.name, message, at, to)
        if deliveries and self.on_queued is not None:
            self.on_queued()
        return len(deliveries)

    def volume(self, brand: str, now: datetime) -> tuple[VolumePoint, ...]:
        """The brand's last hours in 15-minute buckets by sentiment (empty buckets kept)."""
        step = CHART_BUCKET.total_seconds()
        end = datetime.fromtimestamp((now.timestamp() // step + 1) * step, tz=now.tzinfo)
        start = end - timedelta(hours=CHART_HOURS)
        rows = self.store.count_buckets(
            BucketQuery(since=start, until=end, bucket=CHART_BUCKET, brands=(brand,))
        )
        counts: dict[datetime, dict[str, int]] = {
            start + i * CHART_BUCKET: {} for i in range(int(CHART_HOURS * 3600 // step))
        }
        for row in rows:
            bucket = counts.setdefault(row.start, {})
            label = row.sentiment or "neutral"
            bucket[label] = bucket.get(label, 0) + row.count
        return tuple(VolumePoint(start=at, **counts[at]) for at in sorted(counts))

    # -- deliver ---------------------------------------------------------------------------

    def deliver(
        self, now: datetime | None = None, limit: int = 100, subject: str | None = None
    ) -> Counter[str]:
        """Send what is due in the outbox (only messages about ``subject`` when given);
        failures wait with backoff. Returns the outcomes (``sent``, ``retry``, …)."""
        clock = (now or utcnow()).timestamp()
        outcomes: Counter[str] = Counter()
        while outcomes.total() < limit:  # again: a sent message frees the next of its subject
            batch = self.outbox.claim(
                clock, limit - outcomes.total(), frozenset(self._paused), subject
            )
            if not batch:
                break
            for item in batch:
                outcome = self._attempt(item, clock)
                outcomes[outcome] += 1
                self.metrics.notifications.labels(item.notifier, item.kind, outcome).inc()
        self.metrics.outbox_pending.set(self.outbox.depth(clock).pending)
        if outcomes["sent"]:
            self.outbox.purge(clock - SENT_KEPT.total_seconds())
        return outcomes

    def _attempt(self, item: OutboxItem, clock: float) -> str:
        """Deliver one message; on failure decide when (or whether) to try again."""
        if item.notifier in self._paused:  # its credentials failed earlier in this batch
            self.outbox.retry(item, clock, self._paused[item.notifier], count=False)
            return "held"
        notifier = self.notifiers.get(item.notifier)
        if notifier is None:
            self.outbox.dead(item, clock, f"no notifier named {item.notifier!r} any more")
            return "dead"
        policy = self.config.outbox
        try:
            self._dispatch(notifier, item)
        except RetryAfter as exc:
            self.outbox.retry(item, clock + exc.seconds, str(exc))
            log.warning("rate limited; retrying later", notifier=item.notifier, after_s=exc.seconds)
            return "rate_limited"
        except NotifierAuthError as exc:
            self._paused[item.notifier] = str(exc)
            self.outbox.retry(item, clock, str(exc), count=False)
            log.error(
                "notifier credentials refused; its messages wait in the outbox until the "
                "configuration is fixed and the daemon restarted",
                notifier=item.notifier,
                error=str(exc),
            )
            return "auth_failed"
        except NotifierRejected as exc:
            self.outbox.dead(item, clock, str(exc))
            log.error("message refused; set aside", notifier=item.notifier, error=str(exc))
            return "dead"
        except NotifierError as exc:
            if clock - item.created_at >= policy.max_age.total_seconds():
                self.outbox.dead(item, clock, f"gave up after {item.attempts + 1} tries: {exc}")
                log.error("message expired undelivered", notifier=item.notifier, error=str(exc))
                return "dead"
            wait = backoff(
                item.attempts + 1,
                policy.retry_delay.total_seconds(),
                policy.max_retry_delay.total_seconds(),
            )
            self.outbox.retry(item, clock + wait, str(exc))
            log.warning(
                "delivery failed; retrying",
                notifier=item.notifier,
                attempt=item.attempts + 1,
                after_s=wait,
                error=str(exc),
            )
            return "retry"
        self.outbox.sent(item, clock)
        return "sent"

    @staticmethod
    def _dispatch(notifier: Notifier, item: OutboxItem) -> None:
        match item.message:
            case IncidentEvent():
                notifier.notify(item.message, item.delivery)
            case Digest():
                notifier.send_digest(item.message, item.delivery)
            case SourceHealth():
                notifier.notify_source(item.message, item.delivery)

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

    def _tracked_threads(self, source: SourceConfigs) -> tuple[TrackedThread, ...]:
        """The recent negative threads of the source's platform with the most engagement."""
        limit, window = source.tracked_threads()
        if not limit:
            return ()
        found = self.store.search(
            MentionQuery(
                platforms=(source.platform,),
                sentiments=("negative",),
                since=utcnow() - window,
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
        self, source: SourceConfigs, previous: SourceHealth | None, health: SourceHealth
    ) -> None:
        """Open an outage when a source breaks (from its last success: what came after is
        unknown), close it when the source recovers. Detectors read these periods as gaps."""
        now = utcnow()
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

    def _announce_source(self, health: SourceHealth) -> None:
        """An operational alert to every notifier: collection broke, or came back."""
        self._queue([(n, Delivery()) for n in self.notifiers.values()], health)

    def _top_mentions(self, incident: Incident) -> list[Mention]:
        """The posts behind the incident, else the brand's most engaging recent negatives."""
        named = [m for m in map(self.store.get, incident.mention_ids[:TOP_MENTIONS]) if m]
        if named:
            return named
        since = incident.opened_at - self.config.incidents.resolve_after
        return self.store.search(
            MentionQuery(
                brands=(incident.brand,),
                sentiments=("negative",),
                order="engagement",
                since=since,
                limit=TOP_MENTIONS,
            )
        ).mentions

    # -- digest --------------------------------------------------------------------------

    def _group(self, name: str) -> DigestGroup:
        return next(g for g in self.config.digest.groups if g.name == name)

    def digest(self, group_name: str, now: datetime | None = None) -> Digest:
        return build_digest(
            self.store,
            now or utcnow(),
            self._group(group_name),
            tuple(b.name for b in self.config.brands),
            self.config.digest.top,
        )

    def send_digest(
        self, group_name: str, now: datetime | None = None, queued_at: datetime | None = None
    ) -> Digest:
        """Queue the group's digest of the day before ``now`` for its notifiers, due at
        ``queued_at`` (default ``now``); the delivery job sends it. Its outbox subject is
        ``describe(digest)[1]``."""
        digest = self.digest(group_name, now)
        group = self._group(group_name)
        to = Delivery(recipients=tuple(group.recipients))
        targets = [(self.notifiers[n], to) for n in group.notifiers or self.notifiers]
        self._queue(targets, digest, queued_at or now)
        return digest


def _newer(a: SourceHealth, b: SourceHealth) -> bool:
    at, bt = a.last_run_at, b.last_run_at
    return at is not None and (bt is None or at > bt)
