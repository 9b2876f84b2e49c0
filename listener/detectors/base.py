"""The Detector base: read the store, return signals. Detectors never notify."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import ClassVar, Self

import numpy as np
from numpy.typing import NDArray

from listener.config.types import Section
from listener.domain import Fact, Mention, Severity, Signal
from listener.plugin import Named, PluginContext
from listener.stats.series import BucketSeries
from listener.stores.base import MentionQuery, Store


@dataclass(frozen=True)
class Bursts:
    """What a burst finder (the first step of a pass) found: its signals, and per brand
    the publication times of posts the count detectors of the second step discount."""

    signals: tuple[Signal, ...] = ()
    posts: Mapping[str, tuple[datetime, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class DetectContext:
    store: Store
    now: datetime
    brands: tuple[str, ...]
    series: BucketSeries
    """Bucket counts per brand × sentiment × platform, refreshed for this pass."""
    unhealthy_sources: tuple[str, ...] = ()
    """Sources whose last crawls failed: their silence is a gap, not a quiet period."""
    discounted_posts: Mapping[str, tuple[datetime, ...]] = field(default_factory=dict)
    """Per brand, when the posts that count detectors must not count were published (all
    but one post of each coordinated burst): the first step of the pass found them."""
    own_accounts: frozenset[tuple[str, str]] = frozenset()
    """(platform, author id) of the brands' official accounts: their posts are the brands'
    answers, never a threat to them."""

    def discounting(self, bursts: Sequence[Bursts]) -> DetectContext:
        """This context for the second step: counts without what ``bursts`` found."""
        posts: dict[str, list[datetime]] = {}
        for found in bursts:
            for brand, times in found.posts.items():
                posts.setdefault(brand, []).extend(times)
        return replace(self, discounted_posts={b: tuple(t) for b, t in posts.items()})

    def watched_brands(self) -> list[str]:
        """The configured brands that have mentions in the series."""
        wanted = set(self.brands)
        return [b for b in self.series.brands() if b in wanted]

    def recent_negative(
        self,
        lookback: timedelta,
        limit: int,
        *,
        min_influence: float | None = None,
        min_reposts: int | None = None,
    ) -> list[Mention]:
        """Negative mentions of the watched brands published in the last ``lookback``,
        the most engaging first (one query for every brand); the brands' own posts are
        left out (an official statement scored negative is an answer, not a threat)."""
        found = self.store.search(
            MentionQuery(
                brands=self.brands,
                sentiments=("negative",),
                since=self.now - lookback,
                until=self.now,
                min_influence=min_influence,
                min_reposts=min_reposts,
                order="engagement",
                limit=limit,
            )
        ).mentions
        return [m for m in found if (m.platform, m.author.id) not in self.own_accounts]

    def discounted(self, brand: str, counts: NDArray[np.float64]) -> NDArray[np.float64]:
        """``counts`` (this pass's series for ``brand``) without its coordinated posts."""
        times = self.discounted_posts.get(brand)
        if not times:
            return counts
        out = counts.copy()
        first = self.series.current - self.series.length + 1
        for at in times:
            index = self.series.index(at) - first
            if 0 <= index < out.size:
                out[index] = max(0.0, out[index] - 1.0)
        return out

    @classmethod
    def prepare(
        cls,
        store: Store,
        now: datetime,
        brands: tuple[str, ...],
        series: BucketSeries,
        unhealthy_sources: tuple[str, ...] = (),
        own_accounts: frozenset[tuple[str, str]] = frozenset(),
    ) -> DetectContext:
        """Refresh ``series`` to ``now`` (one aggregation) and build the pass's context."""
        series.refresh(store, now, brands)
        return cls(
            store=store,
            now=now,
            brands=brands,
            series=series,
            unhealthy_sources=unhealthy_sources,
            own_accounts=own_accounts,
        )


class DetectorConfig(Section):
    """Base of every detector's options; ``type`` (a Literal in each) names the detector."""

    type: str


class Detector(Named, ABC):
    """A detector plugin: ``Config`` (its options, whose ``type`` is its name), ``detect``."""

    Config: ClassVar[type[DetectorConfig]]
    name: ClassVar[str]
    """Read from ``Config``'s ``type``: what signals and incidents call the detector."""
    finds_bursts: ClassVar[bool] = False
    """A burst finder runs in the pass's first step (``find_bursts``); what it finds is
    discounted by the detectors of the second step (``detect``)."""

    def __init__(self, config: DetectorConfig) -> None:
        self.config = config

    @classmethod
    def from_config(cls, config: DetectorConfig, ctx: PluginContext) -> Self:
        return cls(config)

    def thread_signals(
        self,
        context: DetectContext,
        mention: Mention,
        severity: Severity,
        score: float,
        message: str,
        facts: dict[str, Fact],
        parts: dict[str, float],
    ) -> list[Signal]:
        """One signal about ``mention``'s thread for each watched brand it mentions."""
        return [
            Signal(
                detector=self.name,
                brand=brand,
                key=f"thread:{mention.thread_id or mention.id}",
                severity=severity,
                score=score,
                message=message,
                facts=facts,
                detected_at=context.now,
                window_start=mention.published_at,
                window_end=context.now,
                parts=parts,
                mention_ids=(mention.id,),
            )
            for brand in mention.brands
            if brand in context.brands
        ]

    @abstractmethod
    def detect(self, context: DetectContext) -> list[Signal]: ...

    def find_bursts(self, context: DetectContext) -> Bursts:
        """The first step's findings; only burst finders override this."""
        return Bursts(signals=tuple(self.detect(context)))


def detect_pass(detectors: Sequence[Detector], context: DetectContext) -> list[Signal]:
    """One detection pass in two explicit steps: the burst finders (coordinated posting)
    first, then every other detector on a context that discounts what they found."""
    bursts = [d.find_bursts(context) for d in detectors if d.finds_bursts]
    counted = context.discounting(bursts)
    signals = [s for found in bursts for s in found.signals]
    return signals + [s for d in detectors if not d.finds_bursts for s in d.detect(counted)]
