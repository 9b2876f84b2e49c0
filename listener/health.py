"""Source health after each crawl: 'monitor the monitor'.

A source that fails, or that returns nothing several runs in a row, is marked
unhealthy with a reason a person can act on, so a broken collector is never
mistaken for a quiet brand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from listener.domain import CrawlResult, SourceHealth
from listener.outbox import OutboxDepth
from listener.redact import redact
from listener.spool import SpoolDepth


@dataclass(frozen=True)
class DaemonHealth:
    """What ``/healthz`` says: 200 when the scheduler runs and the store answers."""

    scheduler_running: bool
    store_ok: bool
    spool: SpoolDepth
    sources: tuple[SourceHealth, ...]
    outbox: OutboxDepth
    paused_notifiers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.scheduler_running and self.store_ok

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "unhealthy",
            "scheduler": "running" if self.scheduler_running else "stopped",
            "store": "ok" if self.store_ok else "unavailable",
            "spool": self.spool.as_dict(),
            "sources": {
                h.source: {
                    "healthy": h.healthy,
                    "reason": h.reason,
                    "last_success_at": h.last_success_at,
                }
                for h in self.sources
            },
            "outbox": {
                "pending": self.outbox.pending,
                "dead": self.outbox.dead,
                "oldest_pending_s": self.outbox.oldest_pending_s,
                "paused": dict(self.paused_notifiers),
            },
        }


def after_crawl(
    previous: SourceHealth | None,
    source: str,
    at: datetime,
    result: CrawlResult | None,
    failure: str | None,
    quiet_runs: int,
) -> SourceHealth:
    prev = previous or SourceHealth(source=source)
    runs = prev.runs + 1
    if result is None or not result.healthy:
        reason = failure if result is None else result.reason
        return prev.model_copy(
            update={
                "healthy": False,
                "reason": redact(reason or "crawl failed"),
                "last_run_at": at,
                "runs": runs,
                "failures": prev.failures + 1,
                "consecutive_failures": prev.consecutive_failures + 1,
                "cursor": _later(prev.cursor, result.cursor if result is not None else None),
                "last_items": result.items_spooled if result is not None else 0,
                "last_errors": result.errors if result is not None else 0,
            }
        )
    empty = prev.consecutive_empty + 1 if result.items_seen == 0 else 0
    healthy = empty < quiet_runs
    reason = (
        ""
        if healthy
        else (
            f"returned no posts for {empty} runs in a row: check the source (login, layout, "
            f"query) before trusting the silence"
        )
    )
    return prev.model_copy(
        update={
            "healthy": healthy,
            "reason": reason,
            "cursor": _later(prev.cursor, result.cursor),
            "last_run_at": at,
            "last_success_at": at,
            "last_items": result.items_spooled,
            "last_errors": result.errors,
            "runs": runs,
            "consecutive_failures": 0,
            "consecutive_empty": empty,
        }
    )


def _later(known: str | None, found: str | None) -> str | None:
    """A cursor only moves forward (a backfill of older posts must not rewind it)."""
    if known is None or found is None:
        return found or known
    return max(known, found)
