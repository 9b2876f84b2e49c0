"""Detection and announcement: one pass over the store, incidents updated, changes queued.

A pass refreshes the bucket series (one aggregation), runs the detectors in their two
steps (``detect_pass``), folds the signals into incidents, checks the brands' responses,
and queues what people have not heard yet for the notifiers routing picks. A person's
action (a button) goes through ``act``. Detection only queues: it never waits on a
notifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from listener.config.models import Config
from listener.delivery import Deliveries
from listener.detectors.base import DetectContext, Detector, detect_pass
from listener.domain import (
    Incident,
    IncidentAction,
    IncidentEvent,
    Mention,
    VolumePoint,
    utcnow,
)
from listener.incidents import IncidentManager
from listener.kibana import discover_url
from listener.logs import get_logger
from listener.metrics import Metrics
from listener.pulse import measure
from listener.routing import Router
from listener.stats.series import BucketSeries
from listener.stores.base import BucketQuery, MentionQuery, Store

log = get_logger(__name__)
TOP_MENTIONS = 5
CHART_HOURS = 6
CHART_BUCKET = timedelta(minutes=15)


def engagement_rank(mention: Mention) -> tuple[int, int, int]:
    e = mention.engagement
    return e.reposts, e.comments, e.likes


class Detection:
    def __init__(
        self,
        config: Config,
        store: Store,
        detectors: Sequence[Detector],
        router: Router,
        deliveries: Deliveries,
        metrics: Metrics,
    ) -> None:
        self.config = config
        self.store = store
        self.detectors = list(detectors)
        self.router = router
        self.deliveries = deliveries
        self.metrics = metrics
        self.incidents = IncidentManager(store, config.incidents)
        self.series = BucketSeries(config.detection.bucket, config.detection.history)

    def detect(self, now: datetime | None = None) -> list[IncidentEvent]:
        """One pass: what changed (each change is queued for people when it should be)."""
        now = now or utcnow()
        unhealthy = tuple(h.source for h in self.store.all_source_health() if not h.healthy)
        own = frozenset((a.platform, a.id) for b in self.config.brands for a in b.official_accounts)
        context = DetectContext.prepare(
            self.store, now, tuple(b.name for b in self.config.brands), self.series, unhealthy, own
        )
        events = self.incidents.apply(detect_pass(self.detectors, context), now)
        official = {b.name: tuple(a.id for a in b.official_accounts) for b in self.config.brands}
        events += self.incidents.check_responses(now, official)
        # an incident saved but never announced (the daemon died between the two, or quiet
        # hours held it) is announced now, even when its signal has died out since
        changed = {e.incident.id for e in events}
        events += [
            IncidentEvent(change="opened", incident=incident)
            for incident in self.store.list_incidents(open_only=True)
            if incident.notified_severity is None and incident.id not in changed
        ]
        for event in events:
            self._announce(event, now, unhealthy)
        self.metrics.open_incidents.set(len(self.store.list_incidents(open_only=True)))
        return events

    def _announce(self, event: IncidentEvent, now: datetime, unhealthy: tuple[str, ...]) -> None:
        incident = event.incident
        if self.incidents.held(incident, now):
            return  # announced by a later pass (the sweep above), with what joined it
        pulse = measure(self.series, incident.brand, incident.opened_at, now)
        told = self.incidents.worth_telling(event, pulse.negative, now)
        if told is None:
            return
        routed = self.router.deliveries(incident, now)
        if told.change == "refreshed":
            routed = [(n, to) for n, to in routed if n.edits_in_place]
        enriched = self._enrich(told, now, unhealthy).model_copy(
            update={"volume": self.volume(incident.brand, now), "pulse": pulse}
        )
        queued = self.deliveries.queue(routed, enriched, now)
        if told.change == "refreshed":
            self.incidents.mark_refreshed(incident, now)
        elif queued:  # nothing routed (quiet hours): announced later, once someone is on duty
            self.incidents.mark_notified(incident, now, pulse.negative)

    def act(self, incident_id: str, action: IncidentAction) -> IncidentEvent | None:
        """A person acted on an incident (a Slack button): record it, tell the thread."""
        event = self.incidents.act(incident_id, action)
        if event is None:
            return None
        log.info("incident action", incident=incident_id, action=action.kind, by=action.by)
        enriched = self._enrich(event, action.at)
        routed = self.router.deliveries(event.incident, action.at, on_duty_only=False)
        self.deliveries.queue(routed, enriched, action.at)
        self.incidents.mark_notified(event.incident, action.at)
        return enriched

    def _enrich(
        self, event: IncidentEvent, now: datetime, unhealthy: tuple[str, ...] = ()
    ) -> IncidentEvent:
        """What people need with a change: the posts behind it, where to look further, the
        sources whose collection is impaired (the numbers may be low), local times."""
        shown = event.incident
        if unhealthy:
            parts = {**shown.parts, "unhealthy_sources": float(len(unhealthy))}
            shown = shown.model_copy(update={"parts": parts})
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
                "impaired_sources": unhealthy,
            }
        )

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

    def _top_mentions(self, incident: Incident) -> list[Mention]:
        """The posts behind the incident, the most engaging first, one per wording (the
        newest signals' posts used to come first: five copies of one small complaint
        above the reviewer whose post thousands reposted); else the brand's most engaging
        recent negatives."""
        named = [m for m in map(self.store.get, incident.mention_ids) if m]
        if named:
            wordings: set[str] = set()
            top = []
            for mention in sorted(named, key=engagement_rank, reverse=True):
                if mention.text not in wordings:
                    wordings.add(mention.text)
                    top.append(mention)
            return top[:TOP_MENTIONS]
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
