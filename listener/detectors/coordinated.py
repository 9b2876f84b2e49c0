"""Coordinated posting (水军): many near-identical posts from tiny accounts at once.

Texts are normalised (links, @mentions, numbers, emoji codes and punctuation
removed) and clustered: posts whose character-bigram sets have a Jaccard
similarity of at least ``similarity`` are near-duplicates (MinHash LSH, from
``datasketch``, finds the candidate pairs without comparing all of them).

A cluster of at least ``min_posts`` posts from ``min_authors`` accounts whose
median follower count is tiny is reported as a possible smear (or astroturf)
campaign: an incident of its own, since it calls for a different answer than a
real crisis. It is a burst finder: it runs in the first step of a pass, and the
count detectors of the second step discount its posts, so a paid burst does not
look like a groundswell.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from listener.config.types import PositiveDuration
from listener.detectors.base import Bursts, DetectContext, Detector, DetectorConfig
from listener.domain import Mention, Signal
from listener.stats.neardup import clusters, normalise
from listener.stores.base import MentionQuery


class CoordinatedConfig(DetectorConfig):
    type: Literal["coordinated"] = "coordinated"
    window: PositiveDuration = timedelta(minutes=10)
    min_posts: int = Field(default=8, ge=2)
    min_authors: int = Field(default=6, ge=2)
    max_followers: int = Field(default=50, ge=0)
    """The cluster's median author must have at most this many followers: bought and new
    accounts are tiny, while ordinary users echoing a slogan are not."""
    min_length: int = Field(default=8, ge=1)
    """Posts shorter than this after normalisation (转发微博, a lone emoji) are not compared."""
    similarity: float = Field(default=0.6, gt=0, le=1)
    """Jaccard similarity of character bigrams that makes two posts near-duplicates."""
    max_posts: int = Field(default=5000, ge=10)
    """Per pass, across all brands, the most recent posts examined."""


class CoordinatedDetector(Detector):
    Config = CoordinatedConfig
    config: CoordinatedConfig
    finds_bursts = True

    def detect(self, context: DetectContext) -> list[Signal]:
        return list(self.find_bursts(context).signals)

    def find_bursts(self, context: DetectContext) -> Bursts:
        cfg = self.config
        recent = context.store.search(
            MentionQuery(
                brands=context.brands,
                since=context.now - cfg.window,
                until=context.now,
                limit=cfg.max_posts,
            )
        ).mentions
        by_brand: dict[str, list[Mention]] = defaultdict(list)
        for m in recent:
            if len(normalise(m.text)) < cfg.min_length:
                continue
            for brand in m.brands:
                if brand in context.brands:
                    by_brand[brand].append(m)
        signals = []
        discounted: dict[str, list[datetime]] = defaultdict(list)
        for brand, posts in by_brand.items():
            for group in clusters([m.text for m in posts], cfg.similarity):
                members = [posts[i] for i in group]
                authors = {m.author.id for m in members}
                followers = statistics.median(m.author.followers or 0 for m in members)
                if (
                    len(members) < cfg.min_posts
                    or len(authors) < cfg.min_authors
                    or followers > cfg.max_followers
                ):
                    continue
                discounted[brand].extend(sorted(m.published_at for m in members)[1:])
                minutes = int(cfg.window.total_seconds() // 60)
                signals.append(
                    Signal(
                        detector=self.name,
                        brand=brand,
                        key="coordinated",
                        severity="P2" if len(members) >= 5 * cfg.min_posts else "P3",
                        score=round(min(1.0, len(members) / (4 * cfg.min_posts)), 4),
                        message="coordinated.burst",
                        facts={"minutes": minutes, "posts": len(members), "authors": len(authors)},
                        detected_at=context.now,
                        window_start=context.now - cfg.window,
                        window_end=context.now,
                        parts={
                            "posts": float(len(members)),
                            "authors": float(len(authors)),
                            "median_followers": float(followers),
                        },
                        mention_ids=tuple(m.id for m in members[:10]),
                    )
                )
        return Bursts(tuple(signals), {b: tuple(t) for b, t in discounted.items()})
