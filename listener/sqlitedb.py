"""One SQLite connection shared by the threads of a process: WAL, a lock, transactions.

Both the spool and the embedded store use it. Every SQLite error is re-raised
as the caller's own exception type, with the file named in the message.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Database:
    def __init__(
        self, path: Path, error: type[Exception], what: str, busy_timeout: float = 30.0
    ) -> None:
        self.path = path
        self._error = error
        self._what = what
        self._lock = threading.RLock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        except (sqlite3.DatabaseError, OSError) as exc:
            raise error(f"cannot open {what} {path}: {exc}") from exc

    def _fail(self, exc: sqlite3.Error) -> Exception:
        return self._error(f"{self._what} {self.path}: {exc}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back if the block raises."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise self._fail(exc) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._fail(exc) from exc

    def script(self, sql: str) -> None:
        with self._lock:
            try:
                self._db.executescript(sql)
            except sqlite3.DatabaseError as exc:
                raise self._fail(exc) from exc

    def add_column(self, table: str, column: str) -> None:
        """Add ``column`` ("name TYPE") to a table created by an older version, if missing."""
        name = column.split(maxsplit=1)[0]
        if not any(row[1] == name for row in self.query(f"PRAGMA table_info({table})")):
            self.script(f"ALTER TABLE {table} ADD COLUMN {column}")

    def close(self) -> None:
        with self._lock:
            self._db.close()
