"""Volume spike: a brand's mention count far above its seasonal norm.

The count model (``seasonal``) gives each recent window a surprise, -log10 of
the chance of seeing that many mentions or more. A signal needs all three: the
surprise reaches ``sensitivity``, the window holds at least ``min_count``
mentions (a quiet brand's 0 → 2 is not news, its 0 → 12 is), and at least
``min_ratio`` times the expected count (a huge brand's +3% is not a crisis,
however certain).

One aggregation per pass serves every brand: complete buckets are cached
between passes (a cache of what the store holds, rebuilt after a restart), and
only the buckets since the last pass are fetched.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field

from listener.config.types import PositiveDuration, Section
from listener.detectors.base import DetectContext, Detector
from listener.detectors.seasonal import Assessment, SeasonalConfig, assess_rows
from listener.domain import Severity, Signal
from listener.stores.base import BucketQuery


class VolumeSpikeConfig(Section):
    type: Literal["volume_spike"] = "volume_spike"
    bucket: PositiveDuration = timedelta(minutes=5)
    history: PositiveDuration = timedelta(days=7)
    """How far back the seasonal baseline looks (same time of day on each day)."""
    sensitivity: float = Field(default=5.0, gt=0)
    """Surprise (-log10 probability) that raises a signal; higher is quieter."""
    min_count: int = Field(default=5, ge=1)
    min_ratio: float = Field(default=1.5, ge=1.0)
    by_platform: bool = False
    """Also watch each brand × platform series."""


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


class VolumeSpikeDetector(Detector):
    name: ClassVar[str] = "volume_spike"

    def __init__(self, config: VolumeSpikeConfig) -> None:
        self.config = config
        self.seasonal = seasonal_config(config.bucket, config.history)
        self._cache: dict[str, dict[int, float]] = defaultdict(dict)
        self._cached_until: int | None = None

    def _bucket_index(self, at: datetime) -> int:
        return int(at.timestamp() // self.config.bucket.total_seconds())

    def _refresh(self, context: DetectContext) -> int:
        """Bring the per-series bucket counts up to ``now``; returns the current bucket."""
        size = self.config.bucket.total_seconds()
        current = self._bucket_index(context.now)
        oldest = current - self.seasonal.days * self.seasonal.per_day - max(self.seasonal.windows)
        start = oldest if self._cached_until is None else max(oldest, self._cached_until)
        rows = context.store.count_buckets(
            BucketQuery(
                since=datetime.fromtimestamp(start * size, context.now.tzinfo),
                until=context.now,
                bucket=self.config.bucket,
                brands=context.brands,
                by_platform=self.config.by_platform,
            )
        )
        fresh: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        for row in rows:
            index = self._bucket_index(row.start)
            fresh[row.brand][index] += row.count
            if self.config.by_platform and row.platform:
                fresh[f"{row.brand}\t{row.platform}"][index] += row.count
        for key, buckets in fresh.items():
            series = self._cache[key]
            for index in list(series):
                if index < oldest or index >= start:
                    del series[index]
            series.update(buckets)
        for key in set(self._cache) - set(fresh):
            for index in [i for i in self._cache[key] if i < oldest or i >= start]:
                del self._cache[key][index]
        self._cached_until = current  # the current bucket is incomplete: fetch it again
        return current

    def detect(self, context: DetectContext) -> list[Signal]:
        cfg = self.config
        current = self._refresh(context)
        length = self.seasonal.days * self.seasonal.per_day + max(self.seasonal.windows) + 1
        first = current - length + 1
        elapsed = (context.now.timestamp() / cfg.bucket.total_seconds()) % 1.0
        signals = []
        for key, series in self._cache.items():
            if not series or max(series) < current - max(self.seasonal.windows):
                continue
            counts = np.zeros(length)
            for index, value in series.items():
                if index >= first:
                    counts[index - first] = value
            # the current bucket is still filling: compared pro rata with a full one
            [a] = assess_rows(counts, self.seasonal, np.array([length - 1]), partial=elapsed)
            severity = severity_of(a, cfg.sensitivity, cfg.min_count, cfg.min_ratio)
            if severity is None:
                continue
            brand, _, platform = key.partition("\t")
            minutes = int(a.window * cfg.bucket.total_seconds() // 60)
            where = f"{platform} 上" if platform else ""
            signals.append(
                Signal(
                    detector=self.name,
                    brand=brand,
                    key=f"volume:{platform}" if platform else "volume",
                    severity=severity,
                    score=round(anomaly_score(a, cfg.sensitivity, cfg.min_count), 4),
                    summary=(
                        f"{where}提及 {minutes} 分钟内 {a.count:.0f} 条，是平时的 "
                        f"{a.count / max(a.expected, 0.1):.1f} 倍"
                    ),
                    detected_at=context.now,
                    window_start=context.now - a.window * cfg.bucket,
                    window_end=context.now,
                    parts={
                        "count": round(a.count, 1),
                        "expected": round(a.expected, 2),
                        "surprise": round(a.surprise, 2),
                        "window_buckets": float(a.window),
                    },
                )
            )
        return signals
