"""The typed data every package shares.

This module is the leaf of the import graph: it imports nothing of ours, so
``spiders``, ``listener``, ``models`` and ``alerts`` can all depend on it
without depending on each other.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

SentimentLabel = Literal["negative", "neutral", "positive"]
SENTIMENT_LABELS: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must carry a timezone (naive datetimes are ambiguous)")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_aware_utc)]
"""A timezone-aware timestamp, normalised to UTC on the way in."""

_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 and C1 controls except tab and newline
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidirectional marks and overrides
)


def inert(value: str) -> str:
    """Text a poster wrote, made inert for every output: no control characters (an ESC
    sequence retitles a terminal, NUL cuts text in SQLite and e-mail) and no
    bidirectional overrides (U+202E reverses how a name or link reads)."""
    return _CONTROL.sub("", value)


PosterText = Annotated[str, AfterValidator(inert)]
"""A field a poster controls (text, title, author name, link): inert on the way in, so
whatever path a mention takes — a spider, a JSON-lines file, a replay, the store — it
reaches people without control or bidi characters."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MentionKind(StrEnum):
    POST = "post"
    REPOST = "repost"
    COMMENT = "comment"
    ARTICLE = "article"
    ANSWER = "answer"
    QUESTION = "question"
    VIDEO = "video"


class Author(_Frozen):
    id: PosterText
    name: PosterText = ""
    followers: int | None = Field(default=None, ge=0)
    verified: bool = False
    verified_reason: PosterText = ""
    influence: float | None = None
    """0..1, computed at enrichment (followers, verification, resonance, relevance)."""
    influence_parts: dict[str, float] = Field(default_factory=dict)
    """The parts of ``influence``, each 0..1, so a person can see why it is high."""


EngagementCount = Literal["reposts", "comments", "likes", "views"]


class Engagement(_Frozen):
    reposts: int = Field(default=0, ge=0)
    comments: int = Field(default=0, ge=0)
    likes: int = Field(default=0, ge=0)
    views: int = Field(default=0, ge=0)
    at_least: tuple[EngagementCount, ...] = ()
    """Counts the platform printed as a floor (``100万+``): the true number is at least
    the value, maybe far more. Growth cannot be read from them."""

    def is_floor(self, count: str) -> bool:
        """True when ``count`` (reposts, comments, likes, views) is only a lower bound."""
        return count in self.at_least

    @property
    def total(self) -> int:
        """Interactions that spread a post; views are reach, not interaction."""
        return self.reposts + self.comments + self.likes


class EngagementSnapshot(_Frozen):
    at: UtcDatetime
    engagement: Engagement


class Score(_Frozen):
    """A sentiment verdict with calibrated class probabilities."""

    label: SentimentLabel
    negative: float = Field(ge=0.0, le=1.0)
    positive: float = Field(ge=0.0, le=1.0)
    model_version: str

    @property
    def neutral(self) -> float:
        return max(0.0, 1.0 - self.negative - self.positive)


def mention_id(platform: str, native_id: str) -> str:
    """The stable identity of a mention: the same post always gets the same id."""
    if not platform or not native_id:
        raise ValueError("a mention id needs a platform and a native id")
    return f"{platform}:{native_id}"


class Mention(_Frozen):
    """One indexed document: a public post, repost, comment or article."""

    id: str
    platform: str = Field(min_length=1)
    native_id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    kind: MentionKind = MentionKind.POST
    url: PosterText = ""
    thread_id: str | None = None
    """The id of the root of the conversation (the original post of a repost)."""
    parent_id: str | None = None
    title: PosterText = ""
    text: PosterText
    """The text as its author wrote it (NFC), HTML stripped; matching folds it
    (``listener.textfold``)."""
    text_original: PosterText = ""
    """The text as published, when normalisation changed it."""
    published_at: UtcDatetime
    collected_at: UtcDatetime
    author: Author
    engagement: Engagement = Engagement()
    snapshots: tuple[EngagementSnapshot, ...] = ()
    brands: tuple[str, ...] = ()
    matched_terms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    sentiment: Score | None = None
    """Toward the mention's first brand (the text as a whole when it has none)."""
    brand_sentiment: dict[str, Score] = Field(default_factory=dict)
    """Toward each brand, where the mention names two or more: a post that praises one
    and mocks the other is positive for one, negative for the other."""
    crisis_terms: tuple[str, ...] = ()
    cluster_id: str | None = None
    long_text: bool = False
    """True when the platform truncated the text and the full text was (or must be) fetched."""

    def sentiment_toward(self, brand: str) -> Score | None:
        """The mention's sentiment for ``brand``: what counts and lists per brand read."""
        return self.brand_sentiment.get(brand, self.sentiment)

    def target(self, brand: str) -> str:
        """What the model is told the mention is about: the brand's term as the text
        writes it (the first matched term found in the text), else the brand's name."""
        text = self.text.casefold()
        if len(text) != len(self.text):  # folding moved the offsets: no slice to take
            return brand
        for term in filter(None, self.matched_terms.get(brand, ())):
            at = text.find(term.casefold())
            if at >= 0:
                return self.text[at : at + len(term)]
        return brand

    @classmethod
    def create(cls, *, platform: str, native_id: str, **fields: Any) -> Mention:
        return cls(
            id=mention_id(platform, native_id), platform=platform, native_id=native_id, **fields
        )


Fact = int | float | str | tuple[str, ...]
"""One fact a message states: a number, a name, or a list of names (terms, sources)."""
Severity = Literal["P1", "P2", "P3"]
SEVERITY_RANK: dict[str, int] = {"P3": 1, "P2": 2, "P1": 3}


class Signal(_Frozen):
    """One detector's finding in one pass: something about a brand looks wrong."""

    detector: str
    brand: str
    key: str
    """What the signal is about inside the brand (a thread id, a topic, 'volume'…)."""
    severity: Severity
    score: float = Field(ge=0.0, le=1.0)
    message: str
    """What was found, as a key of the message catalogue (``alerts.catalogue``):
    ``volume_spike.brand``; the words are chosen when a notifier renders it."""
    facts: dict[str, Fact] = Field(default_factory=dict)
    """What the message says, by name: numbers, names, lists of terms."""
    detected_at: UtcDatetime
    window_start: UtcDatetime
    window_end: UtcDatetime
    parts: dict[str, float] = Field(default_factory=dict)
    """The numbers behind the verdict (z-score, ratio, counts…), shown to people."""
    mention_ids: tuple[str, ...] = ()


class IncidentStatus(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Incident(_Frozen):
    id: str
    brand: str
    key: str
    status: IncidentStatus
    severity: Severity
    message: str = ""
    """The strongest signal's message key; the title is made from it when rendering."""
    facts: dict[str, Fact] = Field(default_factory=dict)
    title: str = ""
    """Only for incidents stored by versions before 0.2 (a title already in Chinese):
    shown as written when ``message`` is empty."""
    opened_at: UtcDatetime
    updated_at: UtcDatetime
    last_signal_at: UtcDatetime
    resolved_at: UtcDatetime | None = None
    acknowledged_at: UtcDatetime | None = None
    acknowledged_by: str | None = None
    crisis_score: float = 0.0
    parts: dict[str, float] = Field(default_factory=dict)
    detectors: tuple[str, ...] = ()
    mention_ids: tuple[str, ...] = ()
    first_response_at: UtcDatetime | None = None
    """When one of the brand's own accounts first posted after the incident opened."""
    silence_escalated: bool = False
    """Escalated once already for waiting too long without a response."""
    silent_for_minutes: int | None = None
    """How long the brand had not answered when that escalation happened."""
    notified_severity: Severity | None = None
    """The severity last announced, so a restart never re-sends the same alert."""
    last_notified_at: UtcDatetime | None = None
    resolved_by: str | None = None
    """Who resolved it by hand (a Slack user), None when it calmed down by itself."""
    muted_until: UtcDatetime | None = None
    """Updates and reminders are held until then (escalations still go out)."""
    muted_by: str | None = None
    announced_negative: int | None = None
    """Negative mentions since it opened, as last told in a thread post: a doubling
    is worth a new post."""
    last_refreshed_at: UtcDatetime | None = None
    """When its message was last updated in place (at most every ``group_interval``)."""

    def muted(self, now: datetime) -> bool:
        return self.muted_until is not None and now < self.muted_until

    @property
    def is_open(self) -> bool:
        return self.status is not IncidentStatus.RESOLVED


IncidentChange = Literal["opened", "escalated", "updated", "refreshed", "resolved"]
"""``refreshed``: the incident grew, nothing else happened; notifiers that can edit
their message (Slack with a bot token, webhooks) update it in place, the others skip it."""
UpdateReason = Literal["doubled", "response", "reminder"]
"""Why an ``updated`` change is told: negative volume doubled since last told, the
brand's first official response, a reminder after the cooldown."""
Trend = Literal["accelerating", "steady", "slowing"]


class IncidentAction(_Frozen):
    kind: Literal["acknowledged", "resolved", "muted"]
    by: str
    """Who: a Slack user id (``U…``)."""
    at: UtcDatetime


class VolumePoint(_Frozen):
    """Mentions of one brand in one bucket, by sentiment: what alert charts draw."""

    start: UtcDatetime
    negative: int = 0
    neutral: int = 0
    positive: int = 0

    @property
    def total(self) -> int:
        return self.negative + self.neutral + self.positive


class Pulse(_Frozen):
    """How big an incident is and where it is heading, in numbers a PR lead reads:
    negative mentions in the last hour against the brand's usual hour, the trend of
    the last half hour, and the size since it opened."""

    negative_last_hour: int = 0
    usual_per_hour: float | None = None
    """The brand's average negative mentions per hour before the incident (its detection
    history); None when there is too little history to say what is usual."""
    trend: Trend = "steady"
    mentions: int = 0
    """Mentions of the brand since the incident opened (from the detection bucket before:
    the burst that opened it is counted)."""
    negative: int = 0
    """Negative mentions of the brand in the same time."""

    @property
    def ratio(self) -> float | None:
        """How many times the usual hour the last hour is (None: no usual to compare)."""
        if self.usual_per_hour is None or self.usual_per_hour < USUAL_FLOOR:
            return None
        return self.negative_last_hour / self.usual_per_hour

    @property
    def negative_share(self) -> float:
        return self.negative / self.mentions if self.mentions else 0.0


USUAL_FLOOR = 0.5
"""Below half a negative mention an hour the brand is 'usually quiet': no ratio."""


class IncidentEvent(_Frozen):
    """What notifiers receive: an incident and what just happened to it."""

    change: IncidentChange
    incident: Incident
    top_mentions: tuple[Mention, ...] = ()
    links: dict[str, str] = Field(default_factory=dict)
    """Where to look further, by name (``kibana``: Discover filtered to the incident)."""
    volume: tuple[VolumePoint, ...] = ()
    """The brand's last hours by sentiment, oldest first (the alert's chart)."""
    action: IncidentAction | None = None
    """The change was made by a person (a button in Slack), not by the detectors."""
    timezone: str = "Asia/Shanghai"
    """Times in messages are shown in this zone."""
    impaired_sources: tuple[str, ...] = ()
    """Sources whose collection was failing when this was announced: the numbers may be
    low, and people are told so."""
    pulse: Pulse | None = None
    """The incident's size and trend when this was announced."""
    reason: UpdateReason | None = None
    """Why an ``updated`` change is told (None: another kind of change)."""


class SourceHealth(_Frozen):
    """Per-source collection health ('monitor the monitor')."""

    source: str
    healthy: bool = True
    reason: str = ""
    cursor: str | None = None
    last_run_at: UtcDatetime | None = None
    last_success_at: UtcDatetime | None = None
    last_items: int = 0
    runs: int = 0
    failures: int = 0
    consecutive_failures: int = 0
    consecutive_empty: int = 0
    last_errors: int = 0
    """Pages or items the last crawl could not use (bad bodies, changed layouts)."""

    @property
    def failure_rate(self) -> float:
        """Share of all runs that failed (0 when it never ran)."""
        return self.failures / self.runs if self.runs else 0.0


class Outage(_Frozen):
    """A period when a source could not collect: its platforms' counts are unknown then,
    not zero."""

    source: str
    platforms: tuple[str, ...]
    start: UtcDatetime
    end: UtcDatetime | None = None
    """None while the outage lasts."""
    reason: str = ""

    def covers(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


class BrandDay(_Frozen):
    brand: str
    mentions: int
    negative: int
    previous_mentions_avg: float | None
    """Per day over the days before that have data (None: none has, nothing to compare)."""
    previous_negative_share: float | None
    """Over those days; None when the brand had no mention then."""

    @property
    def negative_share(self) -> float:
        return self.negative / self.mentions if self.mentions else 0.0


class AuthorDay(_Frozen):
    """One author's day: how many of the brands' mentions, how many negative, their reach."""

    author: Author
    platform: str
    mentions: int
    negative: int
    engagement: int
    """Reposts + comments + likes over those mentions, as last collected."""
    url: str = ""
    """Their most engaging mention of the day."""


class Digest(_Frozen):
    """The daily summary for leadership, ready to render."""

    period_start: UtcDatetime
    period_end: UtcDatetime
    timezone: str
    language: Literal["zh", "en"] = "zh"
    brands: tuple[BrandDay, ...]
    trend: tuple[VolumePoint, ...] = ()
    """Every brand's mentions per day by sentiment: the 7 days before, then the day itself."""
    top_negative: tuple[Mention, ...]
    """The most engaging negative threads of the day (one mention per thread)."""
    top_authors: tuple[AuthorDay, ...] = ()
    incidents: tuple[Incident, ...]
    unhealthy_sources: tuple[SourceHealth, ...]
    outages: tuple[Outage, ...] = ()
    """Collection gaps that overlapped the day (a quiet day may be a blind one)."""
    sources: tuple[SourceHealth, ...] = ()
    """Every source the store knows, to tell a day nothing was collected from a calm one."""
    no_data_days: tuple[UtcDatetime, ...] = ()
    """Days of ``trend`` (their starts) with no mention of any brand at all: before the
    first crawl, or while nothing ran. Shown as gaps and left out of the averages."""


class CrawlBrand(_Frozen):
    """The brand rules a crawl needs to match posts at ingest."""

    name: str
    aliases: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    queries: tuple[str, ...] = ()


class TrackedThread(_Frozen):
    """A conversation the spiders re-visit: its counts, and its hot comments."""

    native_id: str
    brands: tuple[str, ...]


class CrawlResult(_Frozen):
    """What a crawl subprocess reports on its last line of standard output."""

    source: str
    items_spooled: int = 0
    items_seen: int = 0
    dropped_no_brand: int = 0
    dropped_duplicate: int = 0
    errors: int = 0
    cursor: str | None = None
    healthy: bool = True
    reason: str = ""
    interrupted: bool = False
    """Stopped by a shutdown (SIGTERM) before it finished: not a failure of the source."""
