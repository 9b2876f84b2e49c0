"""Viral thread: a negative post whose reposts grow fast enough to become big.

For the brand's most engaging negative posts of the last ``lookback``, the
engagement snapshots taken each time the post was collected give approximate
repost times; the cascade model forecasts the reposts at ``horizon``. A post
forecast to reach ``viral`` reposts while it is still below that raises a
signal — before it peaks, which is the point.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field

from listener.config.types import PositiveDuration
from listener.detectors.base import DetectContext, Detector, DetectorConfig
from listener.domain import Mention, Severity, Signal
from listener.stats.cascade import CascadeModel, ages_from_snapshots


class ViralThreadConfig(DetectorConfig):
    type: Literal["viral_thread"] = "viral_thread"
    horizon: PositiveDuration = timedelta(hours=24)
    viral: int = Field(default=500, ge=1)
    """Reposts at the horizon that make a thread viral."""
    lookback: PositiveDuration = timedelta(hours=24)
    min_reposts: int = Field(default=5, ge=1)
    """Posts with fewer reposts so far are not forecast (too little signal)."""
    max_threads: int = Field(default=100, ge=1)
    """Per brand and pass, the most engaging negative posts examined."""
    mean_followers: float = Field(default=200.0, gt=0)


def repost_ages(mention: Mention) -> tuple[list[float], float]:
    """(repost ages, seconds watched) from a mention's engagement history."""
    t0 = mention.published_at.timestamp()
    points = [(s.at.timestamp(), s.engagement.reposts) for s in mention.snapshots]
    points.append((mention.collected_at.timestamp(), mention.engagement.reposts))
    return ages_from_snapshots(t0, points), max(p[0] for p in points) - t0


class ViralThreadDetector(Detector):
    Config = ViralThreadConfig
    config: ViralThreadConfig

    def __init__(self, config: ViralThreadConfig) -> None:
        super().__init__(config)
        self.model = CascadeModel(mean_followers=config.mean_followers)

    def _severity(self, predicted: float) -> Severity:
        if predicted >= 4 * self.config.viral:
            return "P1"
        return "P2" if predicted >= 2 * self.config.viral else "P3"

    def detect(self, context: DetectContext) -> list[Signal]:
        cfg = self.config
        posts = context.recent_negative(
            cfg.lookback, cfg.max_threads * len(context.brands), min_reposts=cfg.min_reposts
        )
        signals = []
        for m in posts:
            if m.engagement.reposts >= cfg.viral or m.engagement.is_floor("reposts"):
                # already viral (a floor such as 100万+ is), or its growth cannot be read
                # from a count printed as a floor: other detectors and the incident carry it
                continue
            ages, watched = repost_ages(m)
            forecast = self.model.forecast(
                ages,
                cfg.horizon.total_seconds(),
                observed_until=watched,
                root_followers=m.author.followers,
            )
            if forecast.predicted < cfg.viral:
                continue
            hours = max(watched / 3600, 1 / 60)
            signals += self.thread_signals(
                context,
                m,
                self._severity(forecast.predicted),
                round(min(1.0, forecast.predicted / (4 * cfg.viral)), 4),
                "viral_thread.growing",
                {
                    "hours": round(watched / 3600, 2),
                    "reposts": m.engagement.reposts,
                    "horizon": cfg.horizon.total_seconds() / 3600,
                    "predicted": round(forecast.predicted, 1),
                },
                {
                    "reposts": float(m.engagement.reposts),
                    "predicted": round(forecast.predicted, 1),
                    "reposts_per_hour": round(m.engagement.reposts / hours, 2),
                    "branching": round(forecast.branching, 3),
                },
            )
        return signals
