"""Negative volume: more negative mentions in the recent window than the brand's recent norm.

One aggregation per pass for every brand: negative counts per bucket over the
baseline period, compared with the recent window's count scaled to the same
length. A floor (``min_count``) keeps a quiet brand's 0 → 2 from paging anyone.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from typing import ClassVar, Literal

from pydantic import Field

from listener.config.types import PositiveDuration, Section
from listener.detectors.base import DetectContext, Detector
from listener.domain import Severity, Signal
from listener.stores.base import BucketQuery


class NegativeVolumeConfig(Section):
    type: Literal["negative_volume"] = "negative_volume"
    bucket: PositiveDuration = timedelta(minutes=5)
    window: PositiveDuration = timedelta(minutes=15)
    """Recent period compared with the baseline."""
    baseline: PositiveDuration = timedelta(hours=24)
    min_count: int = Field(default=5, ge=1)
    """Fewer negative mentions than this in the window never fire."""
    ratio: float = Field(default=3.0, gt=1.0)
    """Fire when the window holds this many times the expected count."""


class NegativeVolumeDetector(Detector):
    name: ClassVar[str] = "negative_volume"

    def __init__(self, config: NegativeVolumeConfig) -> None:
        self.config = config

    def detect(self, context: DetectContext) -> list[Signal]:
        cfg = self.config
        window_start = context.now - cfg.window
        baseline_start = window_start - cfg.baseline
        rows = context.store.count_buckets(
            BucketQuery(
                since=baseline_start, until=context.now, bucket=cfg.bucket, brands=context.brands
            )
        )
        recent: dict[str, int] = defaultdict(int)
        past: dict[str, int] = defaultdict(int)
        for row in rows:
            if row.sentiment != "negative":
                continue
            if row.start + cfg.bucket > window_start:
                recent[row.brand] += row.count
            else:
                past[row.brand] += row.count
        scale = cfg.window / cfg.baseline
        signals = []
        for brand, count in recent.items():
            expected = past[brand] * scale
            threshold = max(cfg.min_count, cfg.ratio * expected)
            if count < threshold:
                continue
            ratio = count / max(expected, 1.0)
            signals.append(
                Signal(
                    detector=self.name,
                    brand=brand,
                    key="negative-volume",
                    severity=self._severity(count, ratio),
                    score=round(1.0 - math.exp(-count / threshold), 4),
                    summary=(
                        f"负面提及 {int(cfg.window.total_seconds() // 60)} 分钟内 {count} 条，"
                        f"是平时的 {ratio:.1f} 倍"
                    ),
                    detected_at=context.now,
                    window_start=window_start,
                    window_end=context.now,
                    parts={
                        "count": float(count),
                        "expected": round(expected, 3),
                        "ratio": round(ratio, 3),
                    },
                )
            )
        return signals

    def _severity(self, count: int, ratio: float) -> Severity:
        cfg = self.config
        if count >= 4 * cfg.min_count and ratio >= 3 * cfg.ratio:
            return "P1"
        if count >= 2 * cfg.min_count and ratio >= 2 * cfg.ratio:
            return "P2"
        return "P3"
