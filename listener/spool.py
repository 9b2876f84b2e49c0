"""The durable hand-off between crawl subprocesses (writers) and the daemon (reader).

A SQLite database in WAL mode: any number of processes append mentions, the
enrich worker claims a batch under a lease, and acknowledges it once the batch
is indexed. Delivery is at-least-once: a reader that dies between claim and ack
leaves its claim to expire, and the batch is handed out again; mention ids make
the second delivery harmless (the store upserts by id).

Entries whose payload cannot be read are set aside as ``dead`` with the reason,
never deleted, so an operator can inspect them (``listener status``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

from pydantic import ValidationError

from listener.domain import Mention
from listener.redact import redact
from listener.sqlitedb import Database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spool (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    mention_id    TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    enqueued_at   REAL    NOT NULL,
    available_at  REAL    NOT NULL,
    claimed_until REAL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    dead          INTEGER NOT NULL DEFAULT 0,
    held_for      TEXT
);
CREATE INDEX IF NOT EXISTS spool_ready ON spool (dead, available_at, claimed_until);
"""


class SpoolError(Exception):
    """The spool file cannot be opened or read; the message says which file and why."""


class NoSpool(SpoolError):
    """There is no spool file yet (no crawl has run): not a failure for inspection."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(f"no spool at {path} (has the daemon or a crawl run yet?)")
        self.path = Path(path)


class Hold(StrEnum):
    """Why entries were given back after a failure (``Spool.release``)."""

    REJECTED = "rejected"
    """The store refused these documents: retried after the configured delay."""
    STORE_DOWN = "store_down"
    """The store could not be reached: retried as soon as it takes a batch again."""
    SCORING = "scoring"
    """The sentiment model failed on the batch."""


@dataclass(frozen=True)
class SpoolEntry:
    seq: int
    mention: Mention
    attempts: int


@dataclass(frozen=True)
class SpoolDepth:
    pending: int
    """Waiting to be claimed now."""
    claimed: int
    """Handed to a reader whose lease has not expired."""
    delayed: int
    """Released after a failure, waiting for their retry time."""
    dead: int
    """Unreadable payloads, kept for inspection."""

    @property
    def total(self) -> int:
        return self.pending + self.claimed + self.delayed

    def as_dict(self) -> dict[str, int]:
        """By state, for JSON (``/healthz``, ``listener status --json``) and metrics."""
        return asdict(self)


class Spool:
    """One handle on the spool file; safe to use from several threads of one process."""

    def __init__(self, path: Path | str, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self._db = Database(self.path, SpoolError, "spool", busy_timeout)
        self._db.script(_SCHEMA)
        self._db.add_column("spool", "held_for TEXT")  # spools written before 0.2

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writers ---------------------------------------------------------------------------

    def put_many(self, mentions: Iterable[Mention]) -> int:
        """Append mentions in one transaction; they are durable when this returns."""
        now = time.time()
        rows = [(m.id, m.source, m.model_dump_json(), now, now) for m in mentions]
        if not rows:
            return 0
        with self._db.transaction() as db:
            db.executemany(
                "INSERT INTO spool (mention_id, source, payload, enqueued_at, available_at) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    # -- the reader ------------------------------------------------------------------------

    def claim(self, limit: int, lease: timedelta) -> list[SpoolEntry]:
        """Take up to ``limit`` entries for ``lease``; unacknowledged ones come back after it."""
        now = time.time()
        with self._db.transaction() as db:
            rows = db.execute(
                "UPDATE spool SET claimed_until = ?, attempts = attempts + 1 WHERE seq IN ("
                "  SELECT seq FROM spool WHERE dead = 0 AND available_at <= ?"
                "  AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY seq LIMIT ?"
                ") RETURNING seq, payload, attempts",
                (now + lease.total_seconds(), now, now, limit),
            ).fetchall()
            entries: list[SpoolEntry] = []
            dead: list[tuple[str, int]] = []
            for seq, payload, attempts in sorted(rows):
                try:
                    entries.append(SpoolEntry(seq, Mention.model_validate_json(payload), attempts))
                except ValidationError as exc:
                    reason = f"unreadable payload: {exc.errors()[0]['msg']}"
                    dead.append((reason[:500], seq))
            if dead:
                db.executemany(
                    "UPDATE spool SET dead = 1, claimed_until = NULL, last_error = ? WHERE seq = ?",
                    dead,
                )
        return entries

    def ack(self, seqs: Sequence[int]) -> None:
        """The batch is indexed: forget it."""
        if not seqs:
            return
        with self._db.transaction() as db:
            db.executemany("DELETE FROM spool WHERE seq = ?", [(s,) for s in seqs])

    def release(
        self, failures: dict[int, str], retry_after: timedelta, held_for: Hold = Hold.REJECTED
    ) -> None:
        """Give entries back after a failure (seq → reason); they are retried after
        ``retry_after``, or sooner by ``retry_now(held_for)``."""
        if not failures:
            return
        available = time.time() + retry_after.total_seconds()
        with self._db.transaction() as db:
            db.executemany(
                "UPDATE spool SET claimed_until = NULL, available_at = ?, last_error = ?, "
                "held_for = ? WHERE seq = ?",
                [
                    (available, redact(why)[:500], held_for.value, seq)
                    for seq, why in failures.items()
                ],
            )

    def retry_now(self, held_for: Hold) -> int:
        """Entries waiting out a backoff after a failure of kind ``held_for`` become
        available at once (the cause is gone); returns how many."""
        now = time.time()
        with self._db.transaction() as db:
            cursor = db.execute(
                "UPDATE spool SET available_at = ? WHERE dead = 0 AND available_at > ?"
                " AND (claimed_until IS NULL OR claimed_until < ?) AND held_for = ?",
                (now, now, now, held_for.value),
            )
            return int(cursor.rowcount)

    # -- inspection ------------------------------------------------------------------------

    def depth(self) -> SpoolDepth:
        now = time.time()
        [row] = self._db.query(
            "SELECT"
            " COALESCE(SUM(dead = 0 AND available_at <= ?"
            "   AND (claimed_until IS NULL OR claimed_until < ?)), 0),"
            " COALESCE(SUM(dead = 0 AND claimed_until >= ?), 0),"
            " COALESCE(SUM(dead = 0 AND available_at > ?"
            "   AND (claimed_until IS NULL OR claimed_until < ?)), 0),"
            " COALESCE(SUM(dead = 1), 0) FROM spool",
            (now, now, now, now, now),
        )
        return SpoolDepth(*(int(x) for x in row))

    def count_by_source(self, source: str) -> int:
        [(count,)] = self._db.query(
            "SELECT COUNT(*) FROM spool WHERE source = ? AND dead = 0", (source,)
        )
        return int(count)

    def dead_letters(self, limit: int = 20) -> list[tuple[int, str, str]]:
        """(seq, mention id, reason) of entries set aside as unreadable."""
        rows = self._db.query(
            "SELECT seq, mention_id, COALESCE(last_error, '') FROM spool WHERE dead = 1 "
            "ORDER BY seq LIMIT ?",
            (limit,),
        )
        return [(int(a), str(b), str(c)) for a, b, c in rows]


def open_existing(path: Path | str) -> Spool:
    """Open a spool for inspection only; a missing file is an error, not a new spool."""
    if not os.path.exists(path):
        raise NoSpool(path)
    return Spool(path)
