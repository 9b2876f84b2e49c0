"""Merge detector signals into incidents and decide what is worth telling people.

One crisis is one incident: signals for the same brand and key update it, a
higher severity escalates it, a calm period resolves it. What was already
announced is stored on the incident (``notified_severity``), so a restart or a
repeated signal never sends the same alert twice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from listener.config.models import IncidentsConfig
from listener.domain import (
    SEVERITY_RANK,
    Incident,
    IncidentAction,
    IncidentChange,
    IncidentEvent,
    IncidentStatus,
    Severity,
    Signal,
)
from listener.stores.base import MentionQuery, Store

MAX_MENTION_IDS = 50
MUTE_FOR = timedelta(hours=1)
GRACE = timedelta(seconds=5)
"""Passes a ``detect_interval`` apart may start a little early: within this of
``group_wait`` is time enough."""
MIN_DOUBLING = 20
"""A doubling of negative mentions is told only when it adds at least this many."""


def needs_announcement(
    severity: Severity,
    announced: Severity | None,
    last_notified_at: datetime | None,
    now: datetime,
    cooldown: timedelta,
) -> bool:
    """An open incident is announced when new, when its severity rose, or as a reminder."""
    if announced is None or SEVERITY_RANK[severity] > SEVERITY_RANK[announced]:
        return True
    return (
        cooldown.total_seconds() > 0
        and last_notified_at is not None
        and now - last_notified_at >= cooldown
    )


@dataclass
class SeriesIncidents:
    """The incident lifecycle of a single series, with IncidentManager's rules.

    ``score_series`` and the backtest feed it one bucket at a time: a signal
    opens or updates the incident, a calm period resolves it, and ``step`` says
    whether people would be notified now.
    """

    config: IncidentsConfig
    severity: Severity | None = None
    announced: Severity | None = None
    last_signal_at: datetime | None = None
    last_notified_at: datetime | None = None

    def step(self, now: datetime, signal: Severity | None) -> bool:
        if (
            self.severity is not None
            and signal is None
            and self.last_signal_at is not None
            and now - self.last_signal_at >= self.config.resolve_after
        ):
            self.severity = self.announced = self.last_notified_at = None
        if signal is None:
            return False
        if self.severity is None or SEVERITY_RANK[signal] > SEVERITY_RANK[self.severity]:
            self.severity = signal
        self.last_signal_at = now
        if needs_announcement(
            self.severity, self.announced, self.last_notified_at, now, self.config.cooldown
        ):
            self.announced, self.last_notified_at = self.severity, now
            return True
        return False


BRAND_KEY = "brand"
COORDINATED_KEY = "coordinated"
_BUMP: dict[Severity, Severity] = {"P3": "P2", "P2": "P1", "P1": "P1"}


def incident_key(signal: Signal, open_keys: set[tuple[str, str]]) -> tuple[str, str]:
    """Which incident a signal belongs to: one crisis is one incident.

    Brand-wide signals (volume, negative share, crisis terms, per-platform spikes)
    share the brand's incident. A thread's signals join the brand's open incident, else
    the brand's open thread incident (the first one: a storm of growing threads on a
    calm day is one incident that lists them, not one message per thread), else open
    one. A coordinated burst joins the brand's open crisis too (a water army piling on
    is part of that crisis, told in its thread); on a calm brand it is its own
    incident: a possible smear campaign calls for a different answer than a real crisis.
    """
    brand = signal.brand
    if (brand, BRAND_KEY) in open_keys:
        return brand, BRAND_KEY
    threads = sorted(k for b, k in open_keys if b == brand and k.startswith("thread:"))
    if threads:
        return brand, threads[0]
    if signal.key == COORDINATED_KEY:
        return brand, COORDINATED_KEY
    return brand, signal.key if signal.key.startswith("thread:") else BRAND_KEY


def combined_severity(strongest: Severity, detectors: Sequence[str], key: str) -> Severity:
    """The strongest signal's severity, one level up when three detectors agree."""
    if key == COORDINATED_KEY:
        return strongest
    return _BUMP[strongest] if len(set(detectors)) >= 3 else strongest


def crisis_score(parts: dict[str, float]) -> float:
    """Noisy-OR of the detectors' scores (``score.<detector>`` parts): 0..1."""
    remaining = 1.0
    for name, value in parts.items():
        if name.startswith("score."):
            remaining *= 1.0 - min(1.0, max(0.0, value))
    return round(1.0 - remaining, 4)


def _strongest(signals: Sequence[Signal]) -> Signal:
    return max(signals, key=lambda s: (SEVERITY_RANK[s.severity], s.score))


class IncidentManager:
    def __init__(self, store: Store, config: IncidentsConfig) -> None:
        self.store = store
        self.config = config

    def apply(self, signals: Sequence[Signal], now: datetime) -> list[IncidentEvent]:
        """Fold one detection pass into the stored incidents; returns what changed."""
        open_by_key = {(i.brand, i.key): i for i in self.store.list_incidents(open_only=True)}
        grouped: dict[tuple[str, str], list[Signal]] = defaultdict(list)
        # brand-wide signals first, so a thread signal of the same pass can join their incident
        for signal in sorted(signals, key=lambda s: s.key.startswith("thread:")):
            target = incident_key(signal, set(open_by_key) | set(grouped))
            grouped[target].append(signal)
        events: list[IncidentEvent] = []
        for key, group in grouped.items():
            incident, change = self._merge(open_by_key.pop(key, None), key[1], group, now)
            self.store.save_incident(incident)
            events.append(IncidentEvent(change=change, incident=incident))
        for incident in open_by_key.values():
            if now - incident.last_signal_at >= self.config.resolve_after:
                resolved = incident.model_copy(
                    update={
                        "status": IncidentStatus.RESOLVED,
                        "resolved_at": now,
                        "updated_at": now,
                    }
                )
                self.store.save_incident(resolved)
                events.append(IncidentEvent(change="resolved", incident=resolved))
        return events

    def _merge(
        self, existing: Incident | None, key: str, signals: Sequence[Signal], now: datetime
    ) -> tuple[Incident, IncidentChange]:
        top = _strongest(signals)
        parts = {f"{s.detector}.{k}": v for s in signals for k, v in s.parts.items()}
        ids = tuple(dict.fromkeys(i for s in signals for i in s.mention_ids))
        detectors = tuple(
            sorted({*(existing.detectors if existing else ()), *(s.detector for s in signals)})
        )
        scores = {
            **(existing.parts if existing else {}),
            **{
                f"score.{s.detector}": max(s.score, parts.get(f"score.{s.detector}", 0.0))
                for s in signals
            },
        }
        severity = combined_severity(top.severity, detectors, key)
        crisis = crisis_score(scores)
        if existing is None:
            return Incident(
                id=uuid.uuid4().hex[:16],
                brand=top.brand,
                key=key,
                status=IncidentStatus.OPEN,
                severity=severity,
                message=top.message,
                facts=top.facts,
                opened_at=now,
                updated_at=now,
                last_signal_at=now,
                crisis_score=crisis,
                parts={**parts, **scores},
                detectors=detectors,
                mention_ids=ids[:MAX_MENTION_IDS],
            ), "opened"
        escalated = SEVERITY_RANK[severity] > SEVERITY_RANK[existing.severity]
        status = IncidentStatus.ESCALATED if escalated else existing.status
        return existing.model_copy(
            update={
                "status": status,
                "severity": severity if escalated else existing.severity,
                "message": top.message,
                "facts": top.facts,
                "updated_at": now,
                "last_signal_at": now,
                "crisis_score": max(existing.crisis_score, crisis),
                "parts": {**existing.parts, **parts, **scores},
                "detectors": detectors,
                "mention_ids": tuple(dict.fromkeys((*ids, *existing.mention_ids)))[
                    :MAX_MENTION_IDS
                ],
            }
        ), "escalated" if escalated else "updated"

    def check_responses(
        self, now: datetime, official: Mapping[str, tuple[str, ...]]
    ) -> list[IncidentEvent]:
        """Record the brand's first response to each open incident; escalate the silent.

        ``official``: per brand, the author ids of its own accounts.
        """
        events: list[IncidentEvent] = []
        for incident in self.store.list_incidents(open_only=True):
            if incident.first_response_at is not None:
                continue
            accounts = official.get(incident.brand, ())
            answers = (
                self.store.search(
                    MentionQuery(
                        brands=(incident.brand,),
                        author_ids=accounts,
                        since=incident.opened_at,
                        until=now,
                        limit=1000,
                    )
                ).mentions
                if accounts
                else []
            )
            if answers:
                first = min(m.published_at for m in answers)
                updated = incident.model_copy(
                    update={"first_response_at": first, "updated_at": now}
                )
                self.store.save_incident(updated)
                events.append(IncidentEvent(change="updated", incident=updated, reason="response"))
            elif (
                not incident.silence_escalated
                and now - incident.opened_at >= self.config.respond_within
            ):
                waited = int((now - incident.opened_at).total_seconds() // 60)
                escalated = incident.model_copy(
                    update={
                        "severity": _BUMP[incident.severity],
                        "status": IncidentStatus.ESCALATED,
                        "silence_escalated": True,
                        "silent_for_minutes": waited,
                        "updated_at": now,
                    }
                )
                self.store.save_incident(escalated)
                events.append(IncidentEvent(change="escalated", incident=escalated))
        return events

    def should_notify(self, incident: Incident, now: datetime) -> bool:
        """Announce what people have not heard yet; remind after the cooldown."""
        announced = incident.notified_severity
        if incident.status is IncidentStatus.RESOLVED:
            return announced is not None and (
                incident.last_notified_at is None
                or incident.resolved_at is None
                or incident.last_notified_at < incident.resolved_at
            )
        if incident.muted(now):  # held, unless it got worse
            return announced is None or SEVERITY_RANK[incident.severity] > SEVERITY_RANK[announced]
        return needs_announcement(
            incident.severity, announced, incident.last_notified_at, now, self.config.cooldown
        )

    def act(self, incident_id: str, action: IncidentAction) -> IncidentEvent | None:
        """Record what a person did (Acknowledge, Resolve, Mute 1 h) on the incident;
        returns the change to announce, None when the incident is unknown or already
        in that state (a double click)."""
        incident = self.store.get_incident(incident_id)
        if incident is None or incident.status is IncidentStatus.RESOLVED:
            return None
        at = action.at
        match action.kind:
            case "acknowledged":
                if incident.acknowledged_at is not None:
                    return None
                update: dict[str, object] = {
                    "status": IncidentStatus.ACKNOWLEDGED,
                    "acknowledged_at": at,
                    "acknowledged_by": action.by,
                }
            case "resolved":
                update = {
                    "status": IncidentStatus.RESOLVED,
                    "resolved_at": at,
                    "resolved_by": action.by,
                }
            case "muted":
                update = {"muted_until": at + MUTE_FOR, "muted_by": action.by}
        changed = incident.model_copy(update={**update, "updated_at": at})
        self.store.save_incident(changed)
        change: IncidentChange = "resolved" if action.kind == "resolved" else "updated"
        return IncidentEvent(change=change, incident=changed, action=action)

    def mark_notified(
        self, incident: Incident, now: datetime, negative: int | None = None
    ) -> Incident:
        """People were told (a message, or a post in its thread) at ``now``; ``negative``:
        the negative mentions since it opened that they were told of."""
        update: dict[str, object] = {
            "notified_severity": incident.severity,
            "last_notified_at": now,
            "last_refreshed_at": now,
        }
        if negative is not None:
            update["announced_negative"] = negative
        marked = incident.model_copy(update=update)
        self.store.save_incident(marked)
        return marked

    def mark_refreshed(self, incident: Incident, now: datetime) -> Incident:
        """Its message was updated in place (no new post) at ``now``."""
        marked = incident.model_copy(update={"last_refreshed_at": now})
        self.store.save_incident(marked)
        return marked

    def worth_telling(
        self, event: IncidentEvent, negative: int, now: datetime
    ) -> IncidentEvent | None:
        """What to tell people about ``event`` of an announced incident: the change as it
        is when it is announced by the usual rules (new, severity up, reminder, resolved),
        a post in its thread for a meaningful update (negative volume doubled, the first
        official response), an in-place refresh after ``group_interval``, else nothing
        (None)."""
        incident = event.incident
        if self.should_notify(incident, now):
            if incident.notified_severity is None and event.change != "resolved":
                # the first message people get about an incident says it is new,
                # whatever happened to it before it could be announced
                return event.model_copy(update={"change": "opened", "reason": None})
            reason = "reminder" if event.change == "updated" else None
            return event.model_copy(update={"reason": event.reason or reason})
        if (
            incident.notified_severity is None
            or not incident.is_open
            or incident.muted(now)
            or event.change != "updated"
        ):
            return None
        if event.reason == "response":
            return event
        told = incident.announced_negative
        if told is not None and negative >= max(2 * told, told + MIN_DOUBLING):
            return event.model_copy(update={"reason": "doubled"})
        since = incident.last_refreshed_at or incident.last_notified_at
        interval = self.config.group_interval
        if interval.total_seconds() > 0 and (since is None or now - since >= interval):
            return event.model_copy(update={"change": "refreshed", "reason": None})
        return None

    def held(self, incident: Incident, now: datetime) -> bool:
        """A new incident waits ``group_wait`` before its first message (P1 never does)."""
        return (
            incident.notified_severity is None
            and incident.is_open
            and incident.severity != "P1"
            and now - incident.opened_at < self.config.group_wait - GRACE
        )
