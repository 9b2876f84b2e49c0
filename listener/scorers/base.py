"""The Scorer protocol: texts in, calibrated sentiment out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from listener.domain import Score


class Scorer(Protocol):
    version: str

    def score(self, texts: Sequence[str]) -> list[Score]:
        """One Score per text, in order; must accept an empty list."""
        ...
