"""Push historical mentions through the real pipeline on a simulated clock.

The input is JSON lines, in either of two formats, even mixed:

- mentions as ``listener search --json`` writes them: each line is one *observation*
  of a post, made at its ``collected_at``. A post observed several times (a thread
  re-visited as it grows) appears on several lines with growing engagement, exactly as
  the spiders would deliver it;
- posts as the ``jsonl`` source reads them (``native_id``, ``text``, ``published_at``,
  ``author``…): each is observed when it was published.

Brands are assigned the way the spiders assign them (``BrandMatcher.assign``): the
configured brands a post mentions, or the ones it carries; a post about none is left out.

At each step of the simulated clock the observations collected by then go into
the spool, the enrich worker indexes them, and the detectors run with that
time as ``now``; incidents and notifications follow the configured rules.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

from pydantic import ValidationError

from alerts.base import AS_CONFIGURED, Delivery, Notifier
from listener.app import App
from listener.domain import Digest, IncidentEvent, Mention, SourceHealth
from listener.stores.base import MentionQuery, Store
from spiders.brandmatch import BrandMatcher
from spiders.spiders.jsonl import JsonlRecord

REPLAY_SOURCE = "replay"
"""The source of posts read in the ``jsonl`` source's format."""


class ReplayError(Exception):
    """The replay file cannot be used; the message names the file and line."""


def read_observations(path: Path, default_platform: str = "file") -> list[Mention]:
    """All observations in ``path``, ordered by when they were collected.

    ``default_platform``: the platform of source-format lines that name none.
    """
    found: list[Mention] = []
    try:
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if line.strip():
                    found.append(_observation(line, f"{path}:{lineno}", default_platform))
    except OSError as exc:
        raise ReplayError(f"cannot read {path}: {exc.strerror}") from None
    found.sort(key=lambda m: m.collected_at)
    return found


def _observation(line: str, where: str, default_platform: str) -> Mention:
    try:
        raw = json.loads(line)
    except ValueError as exc:
        raise ReplayError(f"{where}: not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ReplayError(f"{where}: a line must be a JSON object")
    try:
        if "native_id" in raw and "id" not in raw:  # the jsonl source's format
            record = JsonlRecord.model_validate(raw)
            return record.to_mention(REPLAY_SOURCE, default_platform, record.published_at)
        return Mention.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "line"
        raise ReplayError(f"{where}: {field}: {first['msg']}") from None


@dataclass(frozen=True)
class Matched:
    kept: list[Mention]
    dropped: int
    """Observations about no configured brand."""


def match_brands(observations: list[Mention], matcher: BrandMatcher) -> Matched:
    """The observations about a configured brand, with their brands as the spiders set
    them; the count of the others."""
    kept = [m for m in (matcher.assign(o) for o in observations) if m is not None]
    return Matched(kept, len(observations) - len(kept))


def observations_from_store(
    store: Store, since: datetime | None, until: datetime | None, page: int = 1000
) -> list[Mention]:
    """The stored history as replay observations: each mention once per time it was
    collected (its engagement snapshots, then its latest state), oldest first."""
    found: list[Mention] = []
    offset = 0
    while True:
        batch = store.search(
            MentionQuery(since=since, until=until, order="newest", limit=page, offset=offset)
        ).mentions
        for mention in batch:
            latest = mention.model_copy(update={"snapshots": ()})
            found.extend(
                latest.model_copy(update={"collected_at": s.at, "engagement": s.engagement})
                for s in mention.snapshots
                if s.at < mention.collected_at
            )
            found.append(latest)
        if len(batch) < page:
            break
        offset += page
    found.sort(key=lambda m: m.collected_at)
    return found


@dataclass(frozen=True)
class Step:
    now: datetime
    ingested: int
    events: list[IncidentEvent]


def replay(
    app: App,
    observations: list[Mention],
    step: timedelta,
    speed: float = 0.0,
    on_step: Callable[[Step], None] | None = None,
) -> Iterator[Step]:
    """Advance the simulated clock by ``step`` from the first observation to the last.

    ``speed``: simulated seconds per real second (0: as fast as possible).
    """
    if not observations:
        return
    now = observations[0].collected_at
    end = observations[-1].collected_at + step
    position = 0
    while now <= end:
        due = []
        while position < len(observations) and observations[position].collected_at <= now:
            due.append(observations[position])
            position += 1
        if due:
            app.spool.put_many(due)
            app.indexing.index()
        result = Step(now=now, ingested=len(due), events=app.detection.detect(now))
        app.deliveries.deliver(now)
        if on_step is not None:
            on_step(result)
        yield result
        if speed > 0:
            time.sleep(step.total_seconds() / speed)
        now += step


@dataclass
class Sent:
    """One message a dry run would have sent; ``at`` is the simulated time."""

    text: str
    at: datetime | None = None


class DryRun(Notifier):
    """Stands in for a configured notifier: writes down what it would send, sends nothing."""

    kind: ClassVar[str] = "dry-run"

    def __init__(self, name: str, language: str | None = None, edits: bool = False) -> None:
        super().__init__(name, language)
        self.sent: list[Sent] = []
        self._edits = edits

    @property
    def edits_in_place(self) -> bool:
        return self._edits

    def notify(self, event: IncidentEvent, to: Delivery = AS_CONFIGURED) -> None:
        inc, words = event.incident, self.words
        what = words.headline(event.pulse) if event.pulse else words.event_title(event)
        where = f" → {to.channel}" if to.channel else ""
        self.sent.append(
            Sent(f"{words(f'change.{event.change}')} [{inc.severity}] {inc.brand}: {what}{where}")
        )

    def send_digest(self, digest: Digest, to: Delivery = AS_CONFIGURED) -> None:
        self.sent.append(
            Sent(f"digest {digest.period_start:%Y-%m-%d} – {digest.period_end:%Y-%m-%d}")
        )

    def notify_source(self, health: SourceHealth, to: Delivery = AS_CONFIGURED) -> None:
        """A replay has no live sources."""

    def stamp(self, now: datetime) -> None:
        """Date the messages of the step that just ran."""
        for sent in reversed(self.sent):
            if sent.at is not None:
                break
            sent.at = now
