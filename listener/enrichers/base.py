"""The Enricher base: one mention in, the same mention with more known about it out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Self

from listener.config.types import Section
from listener.domain import Mention
from listener.plugin import Named, PluginContext


class EnricherConfig(Section):
    """Base of every enricher's options; ``type`` (a Literal in each) names the enricher."""

    type: str


class Enricher(Named, ABC):
    """An enricher plugin: ``Config`` (its options, whose ``type`` is its name) and
    ``enrich``, a pure function of the mention (no store, no network)."""

    Config: ClassVar[type[EnricherConfig]]
    name: ClassVar[str]

    def __init__(self, config: EnricherConfig) -> None:
        self.config = config

    @classmethod
    def from_config(cls, config: EnricherConfig, ctx: PluginContext) -> Self:
        return cls(config)

    @abstractmethod
    def enrich(self, mention: Mention) -> Mention: ...
