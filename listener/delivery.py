"""Delivery, next to the outbox: what detection and digests queue goes out from here.

Messages are queued per (notifier, delivery); the delivery job sends what is due and
decides, from the notifier's typed failure, when (or whether) to try again: the
service's Retry-After, a backoff, a notifier paused until its credentials are fixed,
or a message set aside as dead with the reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from alerts.base import (
    ActionListener,
    Delivery,
    Notifier,
    NotifierAuthError,
    NotifierError,
    NotifierRejected,
    OnAction,
    RetryAfter,
)
from listener.config.models import OutboxConfig
from listener.domain import Digest, IncidentEvent, SourceHealth, utcnow
from listener.logs import get_logger
from listener.metrics import Metrics
from listener.outbox import Message, Outbox, OutboxItem
from listener.retry import backoff

log = get_logger(__name__)
SENT_KEPT = timedelta(days=7)
"""Delivered messages stay in the outbox this long (what was sent, for operators)."""
Routed = Sequence[tuple[Notifier, Delivery]]


class Deliveries:
    def __init__(
        self,
        outbox: Outbox,
        notifiers: Mapping[str, Notifier],
        policy: OutboxConfig,
        metrics: Metrics,
    ) -> None:
        self.outbox = outbox
        self.notifiers = notifiers
        self.policy = policy
        self.metrics = metrics
        self.on_queued: Callable[[], None] | None = None
        """Called after messages were queued (the daemon wakes its delivery job)."""
        self._paused: dict[str, str] = {}
        """Notifiers whose credentials were refused (name → reason): their messages wait."""

    @property
    def paused(self) -> dict[str, str]:
        """Notifiers whose credentials were refused, with the reason."""
        return dict(self._paused)

    def everyone(self) -> list[tuple[Notifier, Delivery]]:
        """Every notifier, as configured (operational alerts)."""
        return [(n, Delivery()) for n in self.notifiers.values()]

    def listeners(self, on_action: OnAction) -> list[ActionListener]:
        """Where people's clicks come from (notifiers whose messages carry buttons)."""
        found = (n.listener(on_action) for n in self.notifiers.values())
        return [listener for listener in found if listener is not None]

    def queue(self, routed: Routed, message: Message, now: datetime | None = None) -> int:
        """Queue ``message`` for each routed notifier (a change queued before is not
        queued again); returns how many deliveries there were."""
        at = (now or utcnow()).timestamp()
        for notifier, to in routed:
            self.outbox.put(notifier.name, message, at, to)
        if routed and self.on_queued is not None:
            self.on_queued()
        return len(routed)

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
        try:
            _dispatch(notifier, item)
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
            return self._failed(item, clock, exc)
        self.outbox.sent(item, clock)
        return "sent"

    def _failed(self, item: OutboxItem, clock: float, exc: NotifierError) -> str:
        if clock - item.created_at >= self.policy.max_age.total_seconds():
            self.outbox.dead(item, clock, f"gave up after {item.attempts + 1} tries: {exc}")
            log.error("message expired undelivered", notifier=item.notifier, error=str(exc))
            return "dead"
        wait = backoff(
            item.attempts + 1,
            self.policy.retry_delay.total_seconds(),
            self.policy.max_retry_delay.total_seconds(),
        )
        self.outbox.retry(item, clock + wait, str(exc))
        log.warning(
            "delivery failed; retrying",
            notifier=item.notifier,
            attempt=item.attempts + 1,
            after_s=round(wait, 1),
            error=str(exc),
        )
        return "retry"

    def close(self) -> None:
        for notifier in self.notifiers.values():
            notifier.close()


def _dispatch(notifier: Notifier, item: OutboxItem) -> None:
    match item.message:
        case IncidentEvent():
            notifier.notify(item.message, item.delivery)
        case Digest():
            notifier.send_digest(item.message, item.delivery)
        case SourceHealth():
            notifier.notify_source(item.message, item.delivery)
