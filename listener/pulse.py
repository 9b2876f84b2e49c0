"""An incident's size and trend from the detection pass's bucket series (no extra query).

"负面提及是平时的 6 倍，并在加速": the last hour's negative mentions against the brand's
usual hour before the incident, the last half hour against the one before it, and the
mentions since the incident opened. Buckets are spread evenly over their time, the
current bucket over the part of it that has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from listener.domain import Pulse, Trend
from listener.stats.series import BucketSeries

HOUR = timedelta(hours=1)
MIN_HISTORY = timedelta(hours=3)
"""Less known history than this before the incident and there is no 'usual' to quote."""
ACCELERATING, SLOWING = 1.3, 0.7
"""The last half hour against the one before: above or below these ratios is a trend..."""
MIN_CHANGE = 3
"""...and only when it differs by at least this many mentions (2 → 3 is no trend)."""


def _window(counts: NDArray[np.float64], elapsed: float, start: float, end: float) -> float:
    """Mentions in [now - start, now - end) (in buckets), from per-bucket counts whose
    last bucket has ``elapsed`` (0..1) of its time behind it."""
    total = 0.0
    lo, hi = elapsed - start, elapsed - end  # in bucket units, 0 = start of current bucket
    for back in range(int(np.ceil(start)) + 1):
        index = len(counts) - 1 - back
        if index < 0:
            break
        value = counts[index]
        if np.isnan(value) or value == 0:
            continue
        b_lo, b_hi = -float(back), -float(back) + (elapsed if back == 0 else 1.0)
        if b_hi <= b_lo:
            continue
        overlap = max(0.0, min(hi, b_hi) - max(lo, b_lo))
        total += value * overlap / (b_hi - b_lo)
    return total


def trend_of(recent: float, before: float) -> Trend:
    if recent >= before * ACCELERATING and recent - before >= MIN_CHANGE:
        return "accelerating"
    if recent <= before * SLOWING and before - recent >= MIN_CHANGE:
        return "slowing"
    return "steady"


def measure(series: BucketSeries, brand: str, opened_at: datetime, now: datetime) -> Pulse:
    """The incident of ``brand`` opened at ``opened_at``, as of ``now`` (the series must
    have been refreshed to ``now``)."""
    negative = series.counts(brand, sentiment="negative")
    everything = series.counts(brand)
    per_bucket = series.bucket / HOUR  # hours per bucket
    hour, half = 1 / per_bucket, 0.5 / per_bucket  # in buckets
    elapsed = series.elapsed
    last_hour = _window(negative, elapsed, hour, 0)
    recent = _window(negative, elapsed, half, 0)
    before = _window(negative, elapsed, hour, half)
    # the usual hour: known buckets ending an hour before the incident opened
    cut = len(negative) - 1 - (series.current - series.index(opened_at - HOUR))
    earlier = negative[: max(0, cut)]
    known = earlier[~np.isnan(earlier)]
    usual = (
        float(known.mean()) / per_bucket
        if known.size and known.size * series.bucket >= MIN_HISTORY
        else None
    )
    # from the bucket before the one it opened in: the burst that opened it counts
    since = max(0, len(negative) - 2 - (series.current - series.index(opened_at)))
    trend = trend_of(recent, before)
    if trend == "slowing" and now - opened_at < HOUR:
        trend = "steady"  # the half hour before a young incident is not the incident's
    return Pulse(
        negative_last_hour=round(last_hour),
        usual_per_hour=None if usual is None else round(usual, 2),
        trend=trend,
        mentions=int(np.nansum(everything[since:])),
        negative=int(np.nansum(negative[since:])),
    )
