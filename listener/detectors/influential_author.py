"""Influential author: a negative post by a voice that carries weight.

Not every voice weighs the same: a complaint from an account with a million
followers, verified, already widely reshared and squarely about the brand
reaches more people than a thousand ordinary ones. Influence is computed at
enrichment (``listener.enrichers.influence``) and stored, with its parts, on
the mention; this detector raises a signal for each recent negative post whose
author's influence reaches ``min_influence``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field

from listener.config.types import PositiveDuration
from listener.detectors.base import DetectContext, Detector, DetectorConfig
from listener.domain import Severity, Signal


class InfluentialAuthorConfig(DetectorConfig):
    type: Literal["influential_author"] = "influential_author"
    min_influence: float = Field(default=0.6, ge=0, le=1)
    lookback: PositiveDuration = timedelta(hours=2)
    """Negative posts published this recently are examined."""
    max_posts: int = Field(default=500, ge=1)
    """Per pass, across all brands, the most engaging negative posts examined."""


class InfluentialAuthorDetector(Detector):
    Config = InfluentialAuthorConfig
    config: InfluentialAuthorConfig

    @staticmethod
    def _severity(influence: float) -> Severity:
        return "P1" if influence >= 0.85 else "P2" if influence >= 0.7 else "P3"

    def detect(self, context: DetectContext) -> list[Signal]:
        cfg = self.config
        posts = context.recent_negative(
            cfg.lookback, cfg.max_posts, min_influence=cfg.min_influence
        )
        signals = []
        for m in posts:
            weight = m.author.influence or 0.0
            if weight < cfg.min_influence:
                continue
            who = m.author.name or m.author.id
            followers = f"{m.author.followers:,}" if m.author.followers is not None else "?"
            signals += self.thread_signals(
                context,
                m,
                self._severity(weight),
                round(weight, 4),
                "influential_author.verified_post"
                if m.author.verified
                else "influential_author.post",
                {"who": who, "followers": followers},
                {
                    "influence": weight,
                    **{f"influence.{k}": v for k, v in m.author.influence_parts.items()},
                },
            )
        return signals
