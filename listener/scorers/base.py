"""The Scorer protocol: texts in, calibrated sentiment out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar, Protocol, Self

from listener.config.types import Section
from listener.domain import Score
from listener.plugin import Named, PluginContext


class Scorer(Protocol):
    version: str

    def score(
        self, texts: Sequence[str], targets: Sequence[str | None] | None = None
    ) -> list[Score]:
        """One Score per text, in order; must accept an empty list. ``targets``: per text,
        the brand it is scored toward (polarity *for that brand*: praise of a rival that
        mocks the brand is negative for the brand); None scores the text as a whole."""
        ...


class ScorerConfig(Section):
    """Base of every scorer's options; ``type`` (a Literal in each) names the scorer."""

    type: str


class ScorerPlugin(Named, ABC):
    """A scorer plugin (``model:`` in the config): ``Config``, ``from_config``, ``score``.
    Whatever scores only needs to satisfy ``Scorer`` (fakes in tests do)."""

    Config: ClassVar[type[ScorerConfig]]
    name: ClassVar[str]
    version: str

    def __init__(self, config: ScorerConfig) -> None:
        self.config = config

    @classmethod
    def from_config(cls, config: ScorerConfig, ctx: PluginContext) -> Self:
        return cls(config)

    @abstractmethod
    def score(
        self, texts: Sequence[str], targets: Sequence[str | None] | None = None
    ) -> list[Score]: ...
