"""The Detector base: read the store, return signals. Detectors never notify."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

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
    coordinated: dict[str, float] = field(default_factory=dict)
    """Per brand, mentions in the recent window that belong to a coordinated burst;
    the coordinated-posting detector fills it, count detectors discount it."""

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
