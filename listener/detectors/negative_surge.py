"""Negative surge: more negative mentions, or a larger share of them, than the brand's norm.

Two tests on the same window (``window`` buckets, the current one included):

- the count of negative mentions against its own seasonal baseline (the
  volume model applied to the negative series), which catches a pile-on;
- the share of negative mentions against the brand's share over the baseline
  period, a one-sided binomial test, which catches a brand's normal volume
  turning angry.

Either reaching ``sensitivity`` raises a signal, provided the window holds at
least ``min_count`` negative mentions and the share rose by ``min_share_rise``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from listener.detectors.base import DetectContext, Detector, DetectorConfig
from listener.domain import Severity, Signal
from listener.stats.share import share_surprise
from listener.stats.spikes import SpreadCache, assess_latest, severity_of


class NegativeSurgeConfig(DetectorConfig):
    type: Literal["negative_surge"] = "negative_surge"
    window: int = Field(default=3, ge=1, le=48)
    """Buckets in the share test's short window (5-minute buckets: 15 minutes); a window
    four times longer is tested too, for slow builds and quiet brands."""
    sensitivity: float = Field(default=5.0, gt=0)
    min_count: int = Field(default=5, ge=1)
    min_share_rise: float = Field(default=0.05, ge=0, le=1)
    """The negative share must exceed the usual share by this much (absolute)..."""
    min_share_ratio: float = Field(default=1.5, ge=1)
    """...and be at least this many times the usual share."""


class NegativeSurgeDetector(Detector):
    Config = NegativeSurgeConfig
    config: NegativeSurgeConfig

    def __init__(self, config: NegativeSurgeConfig) -> None:
        super().__init__(config)
        self.spread = SpreadCache()

    def _severity(self, surprise: float, share: float) -> Severity:
        s = self.config.sensitivity
        if surprise >= 3 * s or (surprise >= 2 * s and share >= 0.7):
            return "P1"
        return "P2" if surprise >= 2 * s else "P3"

    def _share_test(
        self, negative: np.ndarray, total: np.ndarray, w: int
    ) -> tuple[float, float, float, float]:
        """(surprise, share, usual share, negatives) of the last ``w`` buckets."""
        recent_neg = float(np.nansum(negative[-w:]))
        recent_total = max(recent_neg, float(np.nansum(total[-w:])))
        past_neg, past_total = np.nansum(negative[:-w]), np.nansum(total[:-w])
        base = float((past_neg + 1.0) / (past_total + 3.0))  # smoothed: no history ≈ 1/3
        share = recent_neg / recent_total if recent_total else 0.0
        rose = share >= max(base + self.config.min_share_rise, self.config.min_share_ratio * base)
        surprise = share_surprise(recent_neg, recent_total, base) if rose else 0.0
        return surprise, share, base, recent_neg

    def detect(self, context: DetectContext) -> list[Signal]:
        cfg, series = self.config, context.series
        signals = []
        for brand in context.watched_brands():
            negative = series.counts(brand, sentiment="negative")
            long = 4 * cfg.window  # a quiet brand's trickle needs an hour to say anything
            if np.nansum(negative[-long:]) < cfg.min_count:
                continue
            # coordinated bursts are negative by nature here: both series lose them
            negative = context.discounted(brand, negative)
            total = context.discounted(brand, series.counts(brand))
            count_test = assess_latest(negative, series, ("negative", brand), self.spread)
            tests = [self._share_test(negative, total, w) for w in (cfg.window, long)]
            share_test, share, base_share, recent_neg = max(
                (t for t in tests if t[3] >= cfg.min_count), default=(0.0, 0.0, 0.0, 0.0)
            )
            by_share = share_test >= cfg.sensitivity
            by_count = severity_of(count_test, cfg.sensitivity, cfg.min_count, 1.5) is not None
            if not (by_share or by_count):
                continue
            surprise = max(count_test.surprise, share_test)
            if not by_share:
                recent_neg = count_test.count
            w = tests.index(max(tests)) if by_share else 0
            minutes = int((cfg.window, long)[w] * series.size // 60)
            signals.append(
                Signal(
                    detector=self.name,
                    brand=brand,
                    key="brand",
                    severity=self._severity(surprise, share),
                    score=round(surprise / (surprise + cfg.sensitivity), 4),
                    message="negative_surge.share" if by_share else "negative_surge.count",
                    facts={
                        "minutes": minutes,
                        "count": recent_neg,
                        "share": round(share, 3),
                        "usual": round(base_share, 3),
                    }
                    if by_share
                    else {
                        "minutes": int(count_test.window * series.size // 60),
                        "count": count_test.count,
                        "ratio": round(count_test.count / max(count_test.expected, 0.1), 2),
                    },
                    detected_at=context.now,
                    window_start=context.now - long * series.bucket,
                    window_end=context.now,
                    parts={
                        "negative": recent_neg,
                        "share": round(share, 3),
                        "baseline_share": round(base_share, 3),
                        "count_surprise": round(count_test.surprise, 2),
                        "share_surprise": round(share_test, 2),
                    },
                )
            )
        return signals
