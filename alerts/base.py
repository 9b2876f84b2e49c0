"""The Notifier base and the config base every notifier's options derive from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from listener.domain import Digest, IncidentEvent, SourceHealth


class NotifierConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    """Unique; routes and digest groups refer to notifiers by this name."""


class NotifierError(Exception):
    """Delivery failed; the message says to whom and why (never the secret)."""


class Notifier(ABC):
    kind: ClassVar[str]

    def __init__(self, name: str) -> None:
        self.name = name

    @abstractmethod
    def notify(self, event: IncidentEvent) -> None:
        """Deliver one incident change; raise NotifierError when it could not be delivered."""

    @abstractmethod
    def send_digest(self, digest: Digest) -> None: ...

    @abstractmethod
    def notify_source(self, health: SourceHealth) -> None:
        """A source turned unhealthy (or recovered): an operational alert, so a quiet
        brand is never mistaken for a broken collector."""

    def close(self) -> None:
        """Release connections; the default has none."""
