"""Author influence: not every voice weighs the same.

How much weight a voice carries for a brand, 0..1, stored on the mention's author with
its parts so a person can see why it is high (the influential-author detector reads it).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, field_validator

from listener.domain import Mention
from listener.enrichers.base import Enricher, EnricherConfig
from listener.textfold import fold

INFLUENCE_WEIGHTS = {"reach": 0.5, "verified": 0.15, "resonance": 0.25, "relevance": 0.1}


class InfluenceConfig(EnricherConfig):
    type: Literal["influence"] = "influence"
    weights: dict[str, float] = Field(default_factory=lambda: dict(INFLUENCE_WEIGHTS))
    """How much each part (reach, verified, resonance, relevance) counts; they need not sum
    to 1 (the score is capped at 1)."""

    @field_validator("weights")
    @classmethod
    def _known_parts(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(weights) - set(INFLUENCE_WEIGHTS))
        if unknown:
            raise ValueError(f"unknown parts {unknown} (known: {', '.join(INFLUENCE_WEIGHTS)})")
        return {**INFLUENCE_WEIGHTS, **weights}


def influence(
    mention: Mention, weights: dict[str, float] | None = None
) -> tuple[float, dict[str, float]]:
    """How much weight this voice carries for this brand, 0..1, with its parts.

    - reach: followers, log-scaled (10 million → 1);
    - verified: a verified account (media, officials, KOLs);
    - resonance: how far this post is reshared and discussed (10k interactions → 1; a
      count printed as a floor, ``100万+``, counts at its floor, already past 1);
    - relevance: how squarely it is about the brand (terms matched, brand up front).
    """
    author, e = mention.author, mention.engagement
    reach = min(1.0, math.log10((author.followers or 0) + 1) / 7.0)
    resonance = min(1.0, math.log10(1 + 2 * e.reposts + e.comments + 0.2 * e.likes) / 4.0)
    terms = sum(len(t) for t in mention.matched_terms.values())
    head = fold((mention.title + mention.text)[:30])
    up_front = any(fold(b) in head for b in mention.brands)
    relevance = (
        min(1.0, 0.5 * min(terms, 2) + (0.25 if up_front else 0.0)) if mention.brands else 0.0
    )
    parts = {
        "reach": round(reach, 3),
        "verified": 1.0 if author.verified else 0.0,
        "resonance": round(resonance, 3),
        "relevance": round(relevance, 3),
    }
    weight = INFLUENCE_WEIGHTS if weights is None else weights
    score = sum(weight.get(k, 0.0) * v for k, v in parts.items())
    return round(min(1.0, score), 4), parts


class InfluenceEnricher(Enricher):
    Config = InfluenceConfig
    config: InfluenceConfig

    def enrich(self, mention: Mention) -> Mention:
        weight, parts = influence(mention, self.config.weights)
        author = mention.author.model_copy(update={"influence": weight, "influence_parts": parts})
        return mention.model_copy(update={"author": author})
