"""Volume spike: a brand's mention count far above its seasonal norm.

The count model (``seasonal``) gives each recent window a surprise, -log10 of
the chance of seeing that many mentions or more. A signal needs all three: the
surprise reaches ``sensitivity``, the window holds at least ``min_count``
mentions (a quiet brand's 0 → 2 is not news, its 0 → 12 is), and at least
``min_ratio`` times the expected count (a huge brand's +3% is not a crisis,
however certain). Mentions the coordinated-posting detector attributed to a
burst of near-duplicates are discounted first.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from listener.detectors.base import DetectContext, Detector, DetectorConfig
from listener.domain import Signal
from listener.stats.series import BucketSeries
from listener.stats.spikes import SpreadCache, anomaly_score, assess_latest, severity_of


class VolumeSpikeConfig(DetectorConfig):
    type: Literal["volume_spike"] = "volume_spike"
    sensitivity: float = Field(default=5.0, gt=0)
    """Surprise (-log10 probability) that raises a signal; higher is quieter."""
    min_count: int = Field(default=5, ge=1)
    min_ratio: float = Field(default=1.5, ge=1.0)
    by_platform: bool = False
    """Also watch each brand × platform series."""
    min_negative_share: float = Field(default=0.8, ge=0)
    """A spike whose negative share is below this fraction of the brand's usual share is
    a positive or neutral wave (praise, a campaign, a holiday) and raises nothing."""


class VolumeSpikeDetector(Detector):
    Config = VolumeSpikeConfig
    config: VolumeSpikeConfig

    def __init__(self, config: VolumeSpikeConfig) -> None:
        super().__init__(config)
        self.spread = SpreadCache()

    def _negative_enough(
        self, series: BucketSeries, brand: str, platform: str, counts: np.ndarray
    ) -> bool:
        """A wave of praise or a campaign is not a crisis: the last half hour's negative
        share must not have fallen well below the brand's usual share."""
        negative = series.counts(brand, sentiment="negative", platform=platform or None)
        recent, usual = slice(-6, None), slice(None, -6)
        total_recent = np.nansum(counts[recent])
        total_usual = np.nansum(counts[usual])
        if total_recent == 0 or total_usual == 0:
            return True
        share = np.nansum(negative[recent]) / total_recent
        return bool(
            share >= self.config.min_negative_share * np.nansum(negative[usual]) / total_usual
        )

    def detect(self, context: DetectContext) -> list[Signal]:
        cfg, series = self.config, context.series
        signals = []
        for brand in context.watched_brands():
            targets = [""] + (sorted(series.platforms(brand)) if cfg.by_platform else [])
            for platform in targets:
                counts = series.counts(brand, platform=platform or None)
                if not np.nansum(counts[-6:]):
                    continue
                if not self._negative_enough(series, brand, platform, counts):
                    continue
                if not platform:
                    counts = context.discounted(brand, counts)
                a = assess_latest(counts, series, ("volume", brand, platform), self.spread)
                severity = severity_of(a, cfg.sensitivity, cfg.min_count, cfg.min_ratio)
                if severity is None:
                    continue
                minutes = int(a.window * series.size // 60)
                signals.append(
                    Signal(
                        detector=self.name,
                        brand=brand,
                        key=f"brand:{platform}" if platform else "brand",
                        severity=severity,
                        score=round(anomaly_score(a, cfg.sensitivity, cfg.min_count), 4),
                        message="volume_spike.platform" if platform else "volume_spike.brand",
                        facts={
                            "minutes": minutes,
                            "count": a.count,
                            "ratio": round(a.count / max(a.expected, 0.1), 2),
                            **({"platform": platform} if platform else {}),
                        },
                        detected_at=context.now,
                        window_start=context.now - a.window * series.bucket,
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
