"""The Notifier base, the config base every notifier's options derive from, and the
errors that tell the outbox what to do with a message that could not be delivered."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar, Literal, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field

from alerts.catalogue import Words
from listener.domain import Digest, IncidentAction, IncidentEvent, SourceHealth
from listener.plugin import MemoryState, Named, PluginContext, State
from listener.retry import retry_after

__all__ = ["MemoryState", "State"]  # the notifiers' durable state (listener.plugin)


class NotifierConfig(BaseModel):
    """Base of every notifier's options; ``type`` (a Literal in each) names the notifier."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    """Unique; routes and digest groups refer to notifiers by this name."""
    language: Literal["zh", "en"] | None = None
    """The language of this notifier's messages; None: ``daemon.language``."""


class Delivery(BaseModel):
    """Where one message goes inside a notifier, as routing decided."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str | None = None
    """A Slack channel instead of the notifier's default."""
    mention: str | None = None
    """Who to @-mention (a Slack user group id ``S…`` or user id ``U…``), for P1."""
    recipients: tuple[str, ...] = ()
    """E-mail addresses instead of the notifier's default recipients."""


AS_CONFIGURED = Delivery()
"""The notifier's own defaults: no channel, mention or recipients from routing."""


class NotifierError(Exception):
    """Delivery failed for now; retried with backoff. The message says to whom and why
    (never the secret)."""


class RetryAfter(NotifierError):
    """The service asked us to wait (HTTP 429, with or without Retry-After)."""

    DEFAULT_SECONDS: ClassVar[float] = 30.0
    """The wait when the service did not say (or said something unreadable)."""

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds

    @classmethod
    def from_header(cls, message: str, header: str | None) -> RetryAfter:
        """From a ``Retry-After`` header: seconds or an HTTP date, else the default wait."""
        seconds = retry_after(header)
        return cls(message, cls.DEFAULT_SECONDS if seconds is None else seconds)


class NotifierAuthError(NotifierError):
    """The credentials were refused (a revoked or mistyped token): nothing this notifier
    sends can succeed until the configuration is fixed. Reported once; its messages wait."""


class NotifierRejected(NotifierError):
    """The service refused this one message for good (an unknown channel, invalid
    blocks): retrying cannot help, it is set aside with the reason."""


OnAction = Callable[[str, IncidentAction], object]
"""Called with (incident id, what a person did, by whom and when)."""


class ActionListener(Protocol):
    """Receives people's actions (buttons) from a chat service while the daemon runs."""

    def start(self) -> None: ...

    def close(self) -> None: ...


class Notifier(Named, ABC):
    """A notifier plugin: ``Config`` (its options, whose ``type`` is its kind),
    ``from_config`` and the three deliveries. ``name`` is the configured instance's."""

    Config: ClassVar[type[NotifierConfig]]
    NAME_AS = "kind"  # ``name`` is the configured instance's
    kind: ClassVar[str]
    """Read from ``Config``'s ``type``."""

    def __init__(self, name: str, language: str | None = None) -> None:
        self.name = name
        self.words = Words(language or "zh")
        """The catalogue in this notifier's language: everything it sends is worded so."""

    @classmethod
    def from_config(cls, config: NotifierConfig, ctx: PluginContext) -> Self:
        notifier = cls(config)  # type: ignore[arg-type]  # every notifier takes its own config
        return notifier.speaking(config.language or ctx.language)

    def speaking(self, language: str) -> Self:
        """This notifier, wording its messages in ``language``."""
        self.words = Words(language)
        return self

    @abstractmethod
    def notify(self, event: IncidentEvent, to: Delivery = AS_CONFIGURED) -> None:
        """Deliver one incident change; raise NotifierError when it could not be delivered.

        Called again for the same event after a failure: a notifier that delivers in
        steps makes each step safe to repeat."""

    @abstractmethod
    def send_digest(self, digest: Digest, to: Delivery = AS_CONFIGURED) -> None: ...

    @abstractmethod
    def notify_source(self, health: SourceHealth, to: Delivery = AS_CONFIGURED) -> None:
        """A source turned unhealthy (or recovered): an operational alert, so a quiet
        brand is never mistaken for a broken collector."""

    @property
    def edits_in_place(self) -> bool:
        """Whether this notifier can update a message it sent: only those receive
        ``refreshed`` changes (the incident grew; nothing else happened). False by default:
        an e-mail or a chat post cannot be changed, and a new one every few minutes is noise."""
        return False

    def listener(self, on_action: OnAction) -> ActionListener | None:
        """Where people's clicks on this notifier's messages come from, handed to
        ``on_action``; None (the default) for a notifier whose messages have no buttons."""
        return None

    def close(self) -> None:
        """Release connections; the default has none."""
