"""When to try again: one backoff rule and one ``Retry-After`` reader for every component.

A leaf module like ``listener.domain`` (nothing of ours imported), so the spool worker,
the outbox, the crawl middlewares and the notifiers all wait by the same rule:

- ``backoff(failures, base, cap)``: after the ``failures``-th failure in a row (1 = the
  first), wait ``base × 2^(failures-1)``, at most ``cap``, shortened by up to ``jitter``
  (a fraction) so that many clients that failed together do not retry together;
- ``retry_after(header)``: a server's ``Retry-After`` (delta-seconds or an HTTP date) as
  seconds from now, or None when it is absent or unreadable (the caller then backs off).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

DEFAULT_JITTER = 0.1
"""Waits are shortened by up to this fraction (never lengthened: a cap stays a cap)."""


def backoff(
    failures: int,
    base: float,
    cap: float,
    *,
    jitter: float = DEFAULT_JITTER,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after the ``failures``-th failure in a row (1 = the first)."""
    if base <= 0:
        return 0.0
    exponent = min(max(failures, 1) - 1, 62)  # 2^62 × base overflows every cap anyway
    wait = min(cap, base * 2.0**exponent)
    if jitter > 0:
        wait *= 1.0 - jitter * (rng or random).random()
    return float(wait)


def retry_after(
    value: str | bytes | None, now: datetime | None = None, cap: float | None = None
) -> float | None:
    """``Retry-After`` as seconds from ``now`` (≥ 0, at most ``cap``); None when absent or
    unreadable. Both forms of RFC 9110 are read: ``120`` and ``Wed, 21 Oct 2026 07:28:00 GMT``."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            until = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        seconds = (until - (now or datetime.now(UTC))).total_seconds()
    if math.isnan(seconds):
        return None
    seconds = max(0.0, seconds)
    return min(seconds, cap) if cap is not None else seconds
