"""The Detector base: read the store, return signals. Detectors never notify."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from listener.detectors.series import BucketSeries
from listener.domain import Signal
from listener.stores.base import Store


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

    @abstractmethod
    def detect(self, context: DetectContext) -> list[Signal]: ...
