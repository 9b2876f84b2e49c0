"""The Detector base: read the store, return signals. Detectors never notify."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from listener.detectors.series import BucketSeries
from listener.domain import Mention, Severity, Signal
from listener.stores.base import MentionQuery, Store


@dataclass(frozen=True)
class DetectContext:
    store: Store
    now: datetime
    brands: tuple[str, ...]
    series: BucketSeries
    """Bucket counts per brand × sentiment × platform, refreshed for this pass."""
    unhealthy_sources: tuple[str, ...] = ()
    """Sources whose last crawls failed: their silence is a gap, not a quiet period."""
    coordinated: dict[str, list[datetime]] = field(default_factory=dict)
    """Per brand, when the posts of a coordinated burst were published (all but one per
    burst); the coordinated-posting detector fills it, count detectors discount it."""

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
        the most engaging first (one query for every brand)."""
        return self.store.search(
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

    def discounted(self, brand: str, counts: NDArray[np.float64]) -> NDArray[np.float64]:
        """``counts`` (this pass's series for ``brand``) without its coordinated posts."""
        times = self.coordinated.get(brand)
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
    ) -> DetectContext:
        """Refresh ``series`` to ``now`` (one aggregation) and build the pass's context."""
        series.refresh(store, now, brands)
        return cls(
            store=store, now=now, brands=brands, series=series, unhealthy_sources=unhealthy_sources
        )


class Detector(ABC):
    name: ClassVar[str]

    def thread_signals(
        self,
        context: DetectContext,
        mention: Mention,
        severity: Severity,
        score: float,
        summary: str,
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
                summary=summary,
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
