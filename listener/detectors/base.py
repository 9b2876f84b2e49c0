"""The Detector base: read the store, return signals. Detectors never notify."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from listener.domain import Signal
from listener.stores.base import Store


@dataclass(frozen=True)
class DetectContext:
    store: Store
    now: datetime
    brands: tuple[str, ...]
    unhealthy_sources: tuple[str, ...] = ()
    """Sources whose last crawls failed: their silence is a gap, not a quiet period."""


class Detector(ABC):
    name: ClassVar[str]

    @abstractmethod
    def detect(self, context: DetectContext) -> list[Signal]: ...
