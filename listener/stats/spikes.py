"""Spike assessment on a bucket series with the seasonal count model: how surprising the
latest window is, what severity that is, and a 0..1 anomaly score."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta

import numpy as np

from listener.domain import Severity
from listener.stats.seasonal import Assessment, SeasonalConfig, assess_rows, pooled_at
from listener.stats.series import BucketSeries


def seasonal_config(bucket: timedelta, history: timedelta) -> SeasonalConfig:
    per_day = max(1, round(86400 / bucket.total_seconds()))
    return SeasonalConfig(per_day=per_day, days=max(1, round(history / timedelta(days=1))))


def severity_of(
    a: Assessment, sensitivity: float, min_count: int, min_ratio: float
) -> Severity | None:
    """P3 at the sensitivity, P2 at twice the surprise, P1 at three times."""
    if math.isnan(a.count) or a.count < min_count or a.count < min_ratio * a.expected:
        return None
    if a.surprise >= 3 * sensitivity:
        return "P1"
    if a.surprise >= 2 * sensitivity:
        return "P2"
    if a.surprise >= sensitivity:
        return "P3"
    return None


def anomaly_score(a: Assessment, sensitivity: float, min_count: int) -> float:
    """0..1, 0.5 at the alert threshold; damped when the count is below ``min_count``."""
    if math.isnan(a.count) or a.surprise <= 0:
        return 0.0
    score = a.surprise / (a.surprise + sensitivity)
    return score * min(1.0, a.count / min_count)


class SpreadCache:
    """Pooled dispersions of the series a detector watches, kept between its passes.

    A series' pooled dispersion moves slowly, so it is computed once per ``pool_every``
    buckets and reused, which keeps a pass over a thousand brands cheap. Each detector
    owns one; nothing else writes to it.
    """

    LIMIT = 100_000

    def __init__(self) -> None:
        self._values: dict[tuple[object, ...], float] = {}

    def get(self, key: tuple[object, ...], compute: Callable[[], float]) -> float:
        if key not in self._values:
            if len(self._values) >= self.LIMIT:
                self._values.clear()
            self._values[key] = compute()
        return self._values[key]


def assess_latest(
    counts: np.ndarray,
    series: BucketSeries,
    key: tuple[str, ...] = (),
    cache: SpreadCache | None = None,
) -> Assessment:
    """The most surprising window ending at the current (still filling) bucket; with a
    ``cache`` and a ``key`` naming the series, its pooled dispersion is reused."""
    cfg = seasonal_config(series.bucket, series.bucket * (series.length - 1))
    last = counts.size - 1
    pooled = None
    if key and cache is not None:
        pooled = cache.get(
            (*key, series.current // cfg.pool_every),
            lambda: pooled_at(counts, cfg, last - last % cfg.pool_every),
        )
    [a] = assess_rows(counts, cfg, np.array([last]), partial=series.elapsed, pooled=pooled)
    return a
