"""The notification outbox: every alert, digest and source alert waits here until its
notifier has delivered it.

Detection only writes rows (fast, local, never blocked by Slack or SMTP); the
daemon's delivery job sends what is due. A failure is retried with exponential
backoff (or after the service's Retry-After); a message the service refused for
good, or that kept failing for ``max_age``, is set aside as ``dead`` with the
reason. Rows carry a dedupe key, so the same change is never queued twice, and
messages about one subject (an incident, a source) go out in the order they were
queued: an update never overtakes the announcement it updates. A deliverer claims
messages under a lease, so two processes on one outbox (the daemon and
``listener digest --send``) never send the same message, and one that dies while
sending hands its messages on when the lease ends.

The outbox is a SQLite file next to the spool (``<data_dir>/outbox.sqlite3``)
rather than a table of the configured store: alerts must be accepted exactly
when the store (Elasticsearch) is the thing that is failing.

Notifiers keep small pieces of state here too (which Slack message is an
incident's thread), through ``NotifierState``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from alerts.base import AS_CONFIGURED, Delivery
from listener.domain import Digest, IncidentEvent, SourceHealth
from listener.redact import redact
from listener.sqlitedb import Database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    notifier    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    dedupe      TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    delivery    TEXT    NOT NULL,
    created_at  REAL    NOT NULL,
    due_at      REAL    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    claimed_until REAL,
    state       TEXT    NOT NULL DEFAULT 'pending',
    last_error  TEXT    NOT NULL DEFAULT '',
    done_at     REAL,
    UNIQUE (notifier, dedupe)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, due_at);
CREATE INDEX IF NOT EXISTS outbox_subject ON outbox (notifier, subject, state);
CREATE TABLE IF NOT EXISTS notifier_state (
    notifier TEXT NOT NULL,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (notifier, key)
);
"""

Kind = Literal["incident", "digest", "source"]
Message = IncidentEvent | Digest | SourceHealth
_MODELS: dict[str, type[BaseModel]] = {
    "incident": IncidentEvent,
    "digest": Digest,
    "source": SourceHealth,
}


LEASE_S = 120.0
"""A claimed message not finished within this many seconds is handed out again (the
process delivering it died)."""


class OutboxError(Exception):
    """The outbox file cannot be opened or written; the message names the file."""


@dataclass(frozen=True)
class OutboxItem:
    id: int
    notifier: str
    kind: Kind
    subject: str
    message: Message
    delivery: Delivery
    created_at: float
    attempts: int


@dataclass(frozen=True)
class OutboxDepth:
    pending: int
    dead: int
    sent: int
    oldest_pending_s: float | None
    """Age of the oldest pending message, seconds (None when nothing waits)."""


def describe(message: Message) -> tuple[Kind, str, str]:
    """(kind, subject, dedupe key) of a message: what it is about, and which change."""
    match message:
        case IncidentEvent(incident=inc, change=change):
            stamp = inc.updated_at.isoformat()
            return "incident", inc.id, f"{inc.id}:{change}:{inc.severity}:{inc.status}:{stamp}"
        case Digest():
            day = message.period_start.isoformat()
            return "digest", f"digest:{day}", f"digest:{day}:{message.language}:{message.timezone}"
        case SourceHealth():
            stamp = message.last_run_at.isoformat() if message.last_run_at else ""
            return (
                "source",
                f"source:{message.source}",
                f"{message.source}:{message.healthy}:{stamp}",
            )
    raise TypeError(f"not an outbox message: {type(message).__name__}")


class Outbox:
    def __init__(self, path: Path) -> None:
        self.db = Database(path, OutboxError, "outbox")
        self.db.script(_SCHEMA)
        columns = {row[1] for row in self.db.query("PRAGMA table_info(outbox)")}
        if "claimed_by" not in columns:  # outboxes written before claims named their owner
            self.db.script("ALTER TABLE outbox ADD COLUMN claimed_by INTEGER;")

    def close(self) -> None:
        self.db.close()

    def put(
        self, notifier: str, message: Message, now: float, delivery: Delivery = AS_CONFIGURED
    ) -> bool:
        """Queue one message for one notifier, due at ``now`` (epoch seconds); False when
        this exact change is queued (or was delivered) already."""
        kind, subject, dedupe = describe(message)
        dedupe = f"{dedupe}:{delivery.model_dump_json()}"
        with self.db.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO outbox (notifier, kind, subject, dedupe, payload, delivery,"
                " created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    notifier,
                    kind,
                    subject,
                    dedupe,
                    message.model_dump_json(),
                    delivery.model_dump_json(),
                    now,
                    now,
                ),
            )
            return cursor.rowcount == 1

    def claim(
        self,
        now: float,
        limit: int = 100,
        skip: frozenset[str] = frozenset(),
        subject: str | None = None,
        lease: float = LEASE_S,
    ) -> list[OutboxItem]:
        """Take the pending messages due at ``now``, oldest first, for ``lease`` seconds
        (another process delivering from the same outbox, ``listener digest --send``
        beside the daemon, skips them). A message waits while an older one about the
        same subject (for the same notifier) is still pending. ``skip``: notifiers left
        out; ``subject``: only messages about it. Finish each with sent, retry or dead."""
        skipped = sorted(skip)
        marks = ",".join("?" * len(skipped))
        with self.db.transaction() as db:
            rows = db.execute(
                "SELECT id, notifier, kind, subject, payload, delivery, created_at, attempts"
                " FROM outbox o WHERE state = 'pending' AND due_at <= ?"
                " AND (claimed_until IS NULL OR claimed_until <= ?)"
                " AND (? IS NULL OR subject = ?)"
                f" AND notifier NOT IN ({marks}) AND NOT EXISTS ("
                "  SELECT 1 FROM outbox p WHERE p.state = 'pending' AND p.notifier = o.notifier"
                "  AND p.subject = o.subject AND p.id < o.id)"
                " ORDER BY id LIMIT ?",
                (now, now, subject, subject, *skipped, limit),
            ).fetchall()
            db.executemany(
                "UPDATE outbox SET claimed_until = ?, claimed_by = ? WHERE id = ?",
                [(now + lease, os.getpid(), row[0]) for row in rows],
            )
        return [self._item(row) for row in rows]

    def release_orphans(self) -> int:
        """Hand back at once the messages claimed by a process that no longer runs (a
        daemon killed mid-send), instead of after their lease; returns how many. The
        outbox is a local file, so its deliverers are processes of this machine."""
        claimed = self.db.query(
            "SELECT DISTINCT claimed_by FROM outbox WHERE state = 'pending'"
            " AND claimed_until IS NOT NULL AND claimed_by IS NOT NULL"
        )
        gone = [pid for (pid,) in claimed if pid != os.getpid() and not _alive(pid)]
        if not gone:
            return 0
        with self.db.transaction() as db:
            cursor = db.execute(
                "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL WHERE state ="
                f" 'pending' AND claimed_by IN ({','.join('?' * len(gone))})",
                gone,
            )
            return cursor.rowcount

    @staticmethod
    def _item(row: tuple[Any, ...]) -> OutboxItem:
        message = _MODELS[row[2]].model_validate_json(row[4])
        assert isinstance(message, IncidentEvent | Digest | SourceHealth)
        return OutboxItem(
            id=row[0],
            notifier=row[1],
            kind=row[2],
            subject=row[3],
            message=message,
            delivery=Delivery.model_validate_json(row[5]),
            created_at=row[6],
            attempts=row[7],
        )

    def sent(self, item: OutboxItem, now: float) -> None:
        self._finish(item, "sent", now, "")

    def dead(self, item: OutboxItem, now: float, reason: str) -> None:
        self._finish(item, "dead", now, reason)

    def _finish(self, item: OutboxItem, state: str, now: float, reason: str) -> None:
        with self.db.transaction() as db:
            db.execute(
                "UPDATE outbox SET state = ?, done_at = ?, attempts = attempts + 1,"
                " last_error = ?, claimed_until = NULL WHERE id = ?",
                (state, now, redact(reason), item.id),
            )

    def retry(self, item: OutboxItem, at: float, reason: str, count: bool = True) -> None:
        """Try again at ``at``; ``count=False`` when the failure was not this message's
        (the notifier is paused), so it does not age toward ``dead``."""
        with self.db.transaction() as db:
            db.execute(
                "UPDATE outbox SET due_at = ?, attempts = attempts + ?, last_error = ?,"
                " claimed_until = NULL WHERE id = ?",
                (at, 1 if count else 0, redact(reason), item.id),
            )

    def depth(self, now: float) -> OutboxDepth:
        counts = dict(self.db.query("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
        oldest = self.db.query("SELECT MIN(created_at) FROM outbox WHERE state = 'pending'")[0][0]
        return OutboxDepth(
            pending=counts.get("pending", 0),
            dead=counts.get("dead", 0),
            sent=counts.get("sent", 0),
            oldest_pending_s=None if oldest is None else round(now - oldest, 1),
        )

    def failures(self, limit: int = 20) -> list[tuple[str, str, str]]:
        """(notifier, subject, reason) of the most recent dead messages."""
        rows = self.db.query(
            "SELECT notifier, subject, last_error FROM outbox WHERE state = 'dead'"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def purge(self, before: float) -> int:
        """Forget delivered messages finished before ``before`` (dead ones are kept)."""
        with self.db.transaction() as db:
            return db.execute(
                "DELETE FROM outbox WHERE state = 'sent' AND done_at < ?", (before,)
            ).rowcount


class NotifierState:
    """Small durable key/value state for one notifier (e.g. incident → Slack thread)."""

    def __init__(self, outbox: Outbox, notifier: str) -> None:
        self._db = outbox.db
        self._notifier = notifier

    def get(self, key: str) -> str | None:
        rows = self._db.query(
            "SELECT value FROM notifier_state WHERE notifier = ? AND key = ?",
            (self._notifier, key),
        )
        return rows[0][0] if rows else None

    def put(self, key: str, value: str) -> None:
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO notifier_state VALUES (?, ?, ?) ON CONFLICT (notifier, key)"
                " DO UPDATE SET value = excluded.value",
                (self._notifier, key, value),
            )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user
    return True
