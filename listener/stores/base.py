"""The Store contract: what every backend (SQLite, Elasticsearch) must answer.

The contract test suite in ``tests/contract/`` runs the same assertions against
every implementation; a new backend is done when that suite passes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar, Literal, Self

from listener.config.types import Section
from listener.domain import Incident, Mention, Outage, SentimentLabel, SourceHealth
from listener.plugin import Named, PluginContext
from listener.redact import redact
from listener.textfold import fold


class StoreError(Exception):
    """A store operation failed; the message says which store and why (redacted: a
    ``user:password@`` in the store's URL never reaches a log, ``status`` or the spool)."""

    def __init__(self, message: object = "") -> None:
        super().__init__(redact(str(message)))


class StoreUnavailable(StoreError):
    """The backend cannot be reached; the caller keeps data and retries later."""


@dataclass(frozen=True)
class MentionQuery:
    """Filters shared by search, the CLI and the detectors.

    ``text`` is split on whitespace; every term (or "quoted phrase") must occur in
    the mention's title or text, case-insensitively. Time bounds apply to
    ``published_at`` and are half-open: ``since <= t < until``.
    """

    text: str = ""
    brands: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    sentiments: tuple[SentimentLabel, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    thread_id: str | None = None
    crisis_only: bool = False
    """Only mentions carrying crisis vocabulary."""
    author_ids: tuple[str, ...] = ()
    """Only mentions by these authors (the brand's own accounts, say)."""
    min_influence: float | None = None
    """Only mentions whose author's influence is at least this."""
    min_reposts: int | None = None
    """Only mentions reposted at least this many times."""
    order: Literal["newest", "engagement"] = "newest"
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class SearchPage:
    total: int
    mentions: list[Mention]


@dataclass(frozen=True)
class BucketQuery:
    """Mention counts per time bucket × brand × sentiment (× platform)."""

    since: datetime
    until: datetime
    bucket: timedelta
    brands: tuple[str, ...] = ()
    """Empty: every brand."""
    by_platform: bool = False
    crisis_only: bool = False
    """Count only mentions carrying crisis vocabulary."""


@dataclass(frozen=True)
class BucketCount:
    start: datetime
    """Bucket start, UTC, aligned to multiples of the bucket since the Unix epoch."""
    brand: str
    sentiment: SentimentLabel | None
    count: int
    platform: str | None = None


@dataclass(frozen=True)
class UpsertReport:
    indexed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    """mention id → reason the backend rejected it (kept for retry by the caller)."""


class StoreConfig(Section):
    """Base of every store's options; ``type`` (a Literal in each) names the store."""

    type: str


class Store(Named, ABC):
    """Where mentions, incidents and per-source state live. A store plugin declares
    ``Config`` (its options, whose ``type`` is its name) and ``from_config``."""

    Config: ClassVar[type[StoreConfig]]
    name: ClassVar[str]
    """Read from ``Config``'s ``type``."""

    @classmethod
    @abstractmethod
    def from_config(cls, config: StoreConfig, ctx: PluginContext) -> Self: ...

    @abstractmethod
    def setup(self) -> None:
        """Create schemas/templates; idempotent. Raises StoreUnavailable when unreachable."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def ping(self) -> None:
        """Return when the backend answers; raise StoreUnavailable otherwise."""

    # -- mentions ------------------------------------------------------------------------

    @abstractmethod
    def bulk_upsert(self, mentions: Sequence[Mention]) -> UpsertReport:
        """Insert or replace by id; upserting the same mention twice leaves one document."""

    @abstractmethod
    def get(self, mention_id: str) -> Mention | None: ...

    def get_many(self, mention_ids: Sequence[str]) -> dict[str, Mention]:
        """The stored mentions among ``mention_ids`` (missing ids are left out)."""
        found = {i: self.get(i) for i in dict.fromkeys(mention_ids)}
        return {i: m for i, m in found.items() if m is not None}

    @abstractmethod
    def search(self, query: MentionQuery) -> SearchPage: ...

    @abstractmethod
    def count_buckets(self, query: BucketQuery) -> list[BucketCount]:
        """One row per non-empty (bucket, brand, sentiment[, platform]); a mention of two
        brands counts once for each."""

    @abstractmethod
    def refresh(self) -> None:
        """Make everything written so far visible to searches (a no-op where it already is)."""

    @abstractmethod
    def prune(self, before: datetime) -> int:
        """Retention: delete mentions published before ``before`` (a store that keeps
        mentions by month deletes whole months, so ``before`` should be a month's first
        day). Returns how many mentions were deleted."""

    # -- per-source state ----------------------------------------------------------------

    @abstractmethod
    def save_source_health(self, health: SourceHealth) -> None: ...

    @abstractmethod
    def source_health(self, source: str) -> SourceHealth | None: ...

    @abstractmethod
    def all_source_health(self) -> list[SourceHealth]: ...

    @abstractmethod
    def save_outage(self, outage: Outage) -> None:
        """Insert or replace the outage of ``outage.source`` that began at ``outage.start``."""

    @abstractmethod
    def outages(self, since: datetime) -> list[Outage]:
        """Outages still open or ended after ``since``, oldest first."""

    # -- incidents -----------------------------------------------------------------------

    @abstractmethod
    def save_incident(self, incident: Incident) -> None: ...

    @abstractmethod
    def get_incident(self, incident_id: str) -> Incident | None: ...

    @abstractmethod
    def list_incidents(
        self, *, open_only: bool = False, brand: str | None = None, since: datetime | None = None
    ) -> list[Incident]:
        """Newest first; ``since`` keeps incidents updated at or after it."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def searchable(mention: Mention) -> str:
    """What text search matches: title, text and original text in the matching form
    (every store keeps it beside the text as written)."""
    return fold("\n".join(p for p in (mention.title, mention.text, mention.text_original) if p))


def split_terms(text: str) -> list[str]:
    """Whitespace-separated terms, with "double quoted phrases" kept whole, in the matching
    form (``listener.textfold.fold``: width, case and script do not matter)."""
    terms: list[str] = []
    rest = text.strip()
    while rest:
        if rest.startswith('"'):
            end = rest.find('"', 1)
            phrase, rest = (rest[1:], "") if end < 0 else (rest[1:end], rest[end + 1 :])
            if phrase.strip():
                terms.append(fold(phrase.strip()))
        else:
            word, _, rest = rest.partition(" ")
            if word:
                terms.append(fold(word))
        rest = rest.strip()
    return terms
