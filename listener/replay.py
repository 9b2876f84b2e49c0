"""Push historical mentions through the real pipeline on a simulated clock.

The input is JSON lines of mentions (the format ``listener search --json``
writes): each line is one *observation* of a post, made at its ``collected_at``.
A post observed several times (a thread re-visited as it grows) appears on
several lines with growing engagement, exactly as the spiders would deliver it.

At each step of the simulated clock the observations collected by then go into
the spool, the enrich worker indexes them, and the detectors run with that
time as ``now``; incidents and notifications follow the configured rules.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from listener.app import App
from listener.domain import IncidentEvent, Mention
from listener.stores.base import MentionQuery, Store


class ReplayError(Exception):
    """The replay file cannot be used; the message names the file and line."""


def read_observations(path: Path) -> list[Mention]:
    """All observations in ``path``, ordered by when they were collected."""
    found: list[Mention] = []
    try:
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    found.append(Mention.model_validate_json(line))
                except ValidationError as exc:
                    first = exc.errors()[0]
                    where = ".".join(str(p) for p in first["loc"]) or "line"
                    raise ReplayError(f"{path}:{lineno}: {where}: {first['msg']}") from None
    except OSError as exc:
        raise ReplayError(f"cannot read {path}: {exc.strerror}") from None
    found.sort(key=lambda m: m.collected_at)
    return found


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
