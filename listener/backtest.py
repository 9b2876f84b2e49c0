"""Score the detectors against labelled events: caught, how early, how many false alerts.

An *alert* is an incident's first announcement (what a PR team would receive);
escalations and reminders of the same incident are not new alerts. An alert is
true when it falls inside a crisis event of its brand (from the onset to the
event's end plus ``grace``); an event is caught when a true alert falls inside
it, and its delay is the time from onset to the first one. Alerts raised during
labelled non-crisis events (a positive viral moment, a campaign) are counted
on their own: the targets say those must raise no crisis incident.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from alerts.base import AS_CONFIGURED, Delivery, Notifier
from listener.app import App
from listener.config.models import Config
from listener.domain import Digest, IncidentEvent, Mention, SourceHealth, UtcDatetime
from listener.replay import Step, replay

EventKind = Literal[
    "sudden_surge",
    "slow_build",
    "viral_thread",
    "influencer",
    "water_army",
    "positive_viral",
    "campaign",
    "holiday",
]
"""What a labelled event was: the first five are crises, the rest moments that must
not alert (``crisis`` says which way each line is scored)."""


class LabelledEvent(BaseModel):
    """One line of an events file."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    brand: str
    kind: EventKind
    onset: UtcDatetime
    end: UtcDatetime
    crisis: bool


def read_events(path: Path) -> list[LabelledEvent]:
    events = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    events.append(LabelledEvent.model_validate_json(line))
                except ValidationError as exc:
                    error = exc.errors()[0]
                    field = ".".join(str(part) for part in error["loc"])
                    where = f"{path}:{lineno}: {field + ': ' if field else ''}"
                    raise ValueError(where + error["msg"]) from None
    return events


@dataclass(frozen=True)
class Alert:
    at: datetime
    brand: str
    incident: str
    detectors: tuple[str, ...]
    severity: str


class RecordingNotifier(Notifier):
    """Collects every incident's first announcement instead of sending it."""

    kind: ClassVar[str] = "recording"

    def __init__(self) -> None:
        super().__init__("backtest")
        self.alerts: list[Alert] = []
        self._seen: set[str] = set()

    def notify_source(self, health: SourceHealth, to: Delivery = AS_CONFIGURED) -> None:
        """A replay has no live sources."""

    def notify(self, event: IncidentEvent, to: Delivery = AS_CONFIGURED) -> None:
        inc = event.incident
        if event.change == "resolved" or inc.id in self._seen:
            return
        self._seen.add(inc.id)
        self.alerts.append(
            Alert(
                at=inc.updated_at,
                brand=inc.brand,
                incident=inc.id,
                detectors=inc.detectors,
                severity=inc.severity,
            )
        )

    def send_digest(self, digest: Digest, to: Delivery = AS_CONFIGURED) -> None:
        """Digests are not part of a backtest."""


@dataclass(frozen=True)
class DetectorScore:
    """How one detector (or all together) did against the labelled events."""

    events: int
    caught: int
    recall: float | None
    median_delay_min: float | None
    median_delay_by_kind_min: dict[str, float | None]
    caught_by_kind: dict[str, str]
    """Per event kind: ``"caught/total"``."""
    alerts: int
    false_alerts: int
    alerts_on_non_crisis_events: int
    false_alerts_per_brand_day: float
    false_alerts_per_brand_week: float
    precision: float | None


def _median(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 1) if known else None


@dataclass(frozen=True)
class Report:
    start: datetime
    end: datetime
    """The period scored (alerts outside it are not counted)."""
    overall: DetectorScore
    detectors: dict[str, DetectorScore]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, default=str)


def _inside(alert: Alert, event: LabelledEvent, grace: timedelta) -> bool:
    return alert.brand == event.brand and event.onset <= alert.at <= event.end + grace


def evaluate(
    alerts: Sequence[Alert],
    events: Sequence[LabelledEvent],
    brands: Iterable[str],
    start: datetime,
    end: datetime,
    grace: timedelta = timedelta(minutes=30),
) -> Report:
    """Per detector and overall: events caught, delay from onset, false alerts, precision."""
    crises = [e for e in events if e.crisis and start <= e.onset < end]
    calm = [e for e in events if not e.crisis]
    brand_days = max(1e-9, len(set(brands)) * (end - start) / timedelta(days=1))

    def score(subset: Sequence[Alert]) -> DetectorScore:
        delays: list[float | None] = []
        by_kind: dict[str, list[float | None]] = defaultdict(list)
        for event in crises:
            hits = [a.at for a in subset if _inside(a, event, grace)]
            delay = (min(hits) - event.onset).total_seconds() / 60 if hits else None
            by_kind[event.kind].append(delay)
            delays.append(delay)
        caught = sum(d is not None for d in delays)
        true = [a for a in subset if any(_inside(a, e, grace) for e in crises)]
        on_calm = [a for a in subset if a not in true and any(_inside(a, e, grace) for e in calm)]
        false = len(subset) - len(true)
        return DetectorScore(
            events=len(crises),
            caught=caught,
            recall=round(caught / len(crises), 3) if crises else None,
            median_delay_min=_median(delays),
            median_delay_by_kind_min={k: _median(ds) for k, ds in sorted(by_kind.items())},
            caught_by_kind={
                k: f"{sum(d is not None for d in ds)}/{len(ds)}"
                for k, ds in sorted(by_kind.items())
            },
            alerts=len(subset),
            false_alerts=false,
            alerts_on_non_crisis_events=len(on_calm),
            false_alerts_per_brand_day=round(false / brand_days, 3),
            false_alerts_per_brand_week=round(7 * false / brand_days, 3),
            precision=round(len(true) / len(subset), 3) if subset else None,
        )

    by_detector: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        for name in alert.detectors:
            by_detector[name].append(alert)
    return Report(
        start=start,
        end=end,
        overall=score(alerts),
        detectors={name: score(items) for name, items in sorted(by_detector.items())},
    )


def backtest_app(config: Config, data_dir: Path) -> App:
    """An App on a scratch store whose only notifier records alerts (under "backtest")."""
    recorder = RecordingNotifier()
    return App.build(config.scratch(data_dir), notifiers={recorder.name: recorder})


def run_backtest(
    config: Config,
    observations: list[Mention],
    events: Sequence[LabelledEvent],
    step: timedelta,
    warmup: timedelta,
    data_dir: Path,
    on_step: Callable[[Step], None] | None = None,
) -> tuple[Report, list[Alert]]:
    """Replay ``observations`` through the configured detectors; score them on ``events``
    from ``warmup`` after the first observation to the last."""
    app = backtest_app(config, data_dir)
    try:
        for _ in replay(app, observations, step, on_step=on_step):
            pass
        recorder = app.notifiers["backtest"]
        assert isinstance(recorder, RecordingNotifier)
    finally:
        app.close()
    start = observations[0].collected_at + warmup
    end = observations[-1].collected_at
    alerts = [a for a in recorder.alerts if start <= a.at <= end]
    return evaluate(alerts, events, [b.name for b in config.brands], start, end), alerts
