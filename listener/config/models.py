"""The configuration file's schema. Defaults live here and nowhere else.

Plugin options (stores, scorers, detectors, sources, notifiers) are declared by
each plugin next to its code and gathered into tagged unions below.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as time_of_day
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, create_model, field_validator

from alerts.base import NotifierConfig
from alerts.console import ConsoleNotifierConfig
from alerts.registry import NOTIFIERS
from listener.brandquery import QueryError, parse_query
from listener.config.types import (
    Duration,
    Hours,
    Name,
    NonEmptyStr,
    PositiveDuration,
    Section,
    TimeOfDay,
    Timezone,
    within,
)
from listener.detectors.base import DetectorConfig
from listener.detectors.registry import DETECTORS
from listener.domain import Severity
from listener.enrichers.base import EnricherConfig
from listener.enrichers.crisis_terms import DEFAULT_CRISIS_TERMS
from listener.enrichers.registry import ENRICHERS
from listener.kibana import KibanaConfig
from listener.plugin import Registry
from listener.scorers.base import ScorerConfig
from listener.scorers.lexicon import LexiconScorerConfig
from listener.scorers.registry import SCORERS
from listener.stores.base import StoreConfig
from listener.stores.registry import STORES
from listener.stores.sqlite import SqliteStoreConfig
from spiders.registry import SPIDERS
from spiders.spec import SourceConfigs

if TYPE_CHECKING:  # the checker sees each kind's base; pydantic validates the tagged union
    StorageConfig = StoreConfig
    ModelConfig = ScorerConfig
    DetectorConfigs = DetectorConfig
    EnricherConfigs = EnricherConfig
    NotifierConfigs = NotifierConfig
else:
    StorageConfig = STORES.config_union()
    ModelConfig = SCORERS.config_union()
    DetectorConfigs = DETECTORS.config_union()
    EnricherConfigs = ENRICHERS.config_union()
    NotifierConfigs = NOTIFIERS.config_union()


class HttpConfig(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8787, ge=0, le=65535)
    """``/healthz`` and Prometheus ``/metrics``; 0 picks a free port (logged at start)."""
    enabled: bool = True
    trusted_network: bool = False
    """The endpoint has no authentication: on any host but loopback the daemon warns at
    start unless this says the network in front of it is trusted (a container whose
    port is published on 127.0.0.1 only, a private scrape network)."""


class DaemonConfig(Section):
    data_dir: Path = Path("data")
    """Spool and embedded store live here unless their own paths are set."""
    timezone: Timezone = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"
    """What people read: alerts, digests, charts, the CLI's incident lines. Each notifier
    (``notifiers[].language``) and digest group (``digest.groups[].language``) may say
    otherwise."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["logfmt", "json"] = "logfmt"
    http: HttpConfig = HttpConfig()
    max_concurrent_crawls: int = Field(default=2, ge=1, le=64)
    detect_interval: PositiveDuration = timedelta(minutes=1)
    shutdown_grace: PositiveDuration = timedelta(seconds=5)
    """Running crawls get this long to stop (on SIGTERM, or at their timeout) before a kill."""
    quiet_runs: int = Field(default=3, ge=1)
    """A source that returns nothing this many runs in a row is reported as suspicious."""


class SpoolConfig(Section):
    path: Path | None = None
    """Default ``<daemon.data_dir>/spool.sqlite3``."""
    batch_size: int = Field(default=64, ge=1, le=10_000)
    lease: PositiveDuration = timedelta(minutes=2)
    """A claimed batch not acknowledged within this time is handed out again."""
    poll_interval: PositiveDuration = timedelta(seconds=2)
    retry_delay: PositiveDuration = timedelta(seconds=30)
    """Wait before retrying a batch the store rejected or could not take."""


class OutboxConfig(Section):
    path: Path | None = None
    """Default ``<daemon.data_dir>/outbox.sqlite3``: alerts and digests waiting to be sent."""
    interval: PositiveDuration = timedelta(seconds=5)
    """How often the delivery job sends what is due."""
    retry_delay: PositiveDuration = timedelta(seconds=30)
    """First wait after a failed delivery; doubles with every failure..."""
    max_retry_delay: PositiveDuration = timedelta(minutes=15)
    """...up to this (a service's Retry-After is honoured as given)."""
    max_age: PositiveDuration = timedelta(hours=24)
    """A message still failing after this long is set aside as dead (listener status)."""


class OfficialAccount(Section):
    platform: NonEmptyStr
    id: NonEmptyStr


class BrandConfig(Section):
    name: NonEmptyStr
    """Also matched as an alias."""
    aliases: list[NonEmptyStr] = []
    keywords: list[NonEmptyStr] = []
    """Extra terms that mark a post as about the brand (product names…)."""
    exclude: list[NonEmptyStr] = []
    """A match inside one of these is not a match (小米 in 小米粥)."""
    queries: list[NonEmptyStr] = []
    """Boolean rules, each enough on its own: ``小米 AND (汽车 OR SU7)``, ``"雷军 道歉"``,
    ``小米 NEAR/10 召回``, ``NOT`` and parentheses (see README, Brand matching)."""

    @field_validator("queries")
    @classmethod
    def _queries_parse(cls, queries: list[str]) -> list[str]:
        for query in queries:
            try:
                parse_query(query, str.casefold)
            except QueryError as exc:
                raise ValueError(str(exc)) from None
        return queries

    official_accounts: list[OfficialAccount] = []
    """The brand's own accounts: their replies count as the brand's response."""
    crisis_terms: list[NonEmptyStr] = []
    """Crisis vocabulary for this brand, on top of ``detection.crisis_terms``."""


class DetectionConfig(Section):
    bucket: PositiveDuration = timedelta(minutes=5)
    """Count-based detectors compare buckets of this length."""
    history: PositiveDuration = timedelta(days=7)
    """How far back baselines look (same time of day on each day)."""
    crisis_terms: list[NonEmptyStr] = list(DEFAULT_CRISIS_TERMS)
    """Crisis vocabulary for every brand (维权, 投诉, 曝光, 召回…)."""

    def vocabulary(self, brands: list[BrandConfig]) -> dict[str, tuple[str, ...]]:
        return {
            "": tuple(self.crisis_terms),
            **{b.name: tuple(b.crisis_terms) for b in brands if b.crisis_terms},
        }


class IncidentsConfig(Section):
    cooldown: Duration = timedelta(hours=2)
    """An open incident at unchanged severity is re-announced (a reminder) at most this
    often; 0 disables reminders. Escalations are always announced."""
    resolve_after: PositiveDuration = timedelta(hours=2)
    """An incident with no new signal for this long is resolved automatically."""
    respond_within: PositiveDuration = timedelta(hours=1)
    """An open incident the brand's official accounts have not answered within this time
    is escalated one level (once): silence is the worst answer."""
    group_wait: Duration = timedelta(minutes=1)
    """A new incident is announced this long after it opened, so that what the next
    detection pass finds (the other threads of the same crisis) is in its first message
    (Alertmanager's ``group_wait``); 0: at once. P1 is never held."""
    group_interval: Duration = timedelta(minutes=5)
    """An announced incident's message is updated in place (counts, share, threads) at
    most this often as it grows (Alertmanager's ``group_interval``); 0: never. Severity
    up, negative volume doubled, the silence escalation, the first official response
    and resolution are posted in its thread whenever they happen."""


class DigestGroup(Section):
    name: Name
    time: TimeOfDay = time_of_day(8, 30)
    """Local time of day the digest for the previous day is sent."""
    timezone: Timezone = "Asia/Shanghai"
    language: Literal["zh", "en"] | None = None
    """None: ``daemon.language``."""
    recipients: list[NonEmptyStr] = []
    """E-mail addresses (used by e-mail notifiers)."""
    notifiers: list[NonEmptyStr] = []
    """Empty: every configured notifier."""


class DigestConfig(Section):
    enabled: bool = True
    top: int = Field(default=5, ge=1, le=50)
    groups: list[DigestGroup] = [DigestGroup(name="leadership")]


class TeamConfig(Section):
    name: Name
    members: list[NonEmptyStr] = []
    on_call: Hours | None = None
    """Local hours when the team answers, e.g. ``09:00-21:00``; None: always. Outside
    them only P1 goes out, to ``escalation_channel``."""
    quiet_hours: Hours | None = None
    """Local hours when only P1 goes out (to ``escalation_channel``), e.g. ``23:00-07:00``."""
    timezone: Timezone = "Asia/Shanghai"
    escalation_channel: str | None = None
    """Slack channel for P1 outside on-call or inside quiet hours (default: the route's)."""
    on_call_group: str | None = Field(default=None, pattern=r"^[SUW][A-Z0-9]{2,}$")
    """Slack user group (``S…``) or user (``U…``) @-mentioned on P1 alerts."""

    def on_duty(self, now: datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.timezone)).time()
        if self.on_call is not None and not within(self.on_call, local):
            return False
        return self.quiet_hours is None or not within(self.quiet_hours, local)


class RouteConfig(Section):
    brands: list[NonEmptyStr] = []
    """Empty: every brand."""
    severities: list[Severity] = ["P1", "P2", "P3"]
    notifiers: list[NonEmptyStr] = Field(min_length=1)
    channel: str | None = None
    """Slack channel for this route (default: the Slack notifier's ``channel``)."""
    team: Name | None = None
    """The team answering these alerts: its on-call and quiet hours apply."""


class Config(Section):
    daemon: DaemonConfig = DaemonConfig()
    spool: SpoolConfig = SpoolConfig()
    outbox: OutboxConfig = OutboxConfig()
    storage: StorageConfig = SqliteStoreConfig()
    kibana: KibanaConfig | None = None
    """Kibana for analysts: ``listener kibana setup`` and Discover links in alerts."""
    model: ModelConfig = LexiconScorerConfig()
    """The sentiment scorer: ``lexicon`` (built in, no model files) or ``transformer``
    (the trained model in ``models/``)."""
    brands: list[BrandConfig] = Field(min_length=1)
    sources: list[SourceConfigs] = []
    """What to collect; each entry's ``platform`` names its spider (see README)."""
    enrichers: list[EnricherConfigs] = [e.Config.model_validate({}) for e in ENRICHERS]
    """Applied to every mention before indexing, in this order (default: all shipped)."""
    detection: DetectionConfig = DetectionConfig()
    detectors: list[DetectorConfigs] = [d.Config.model_validate({}) for d in DETECTORS]
    """Default: every detector shipped with Listener, with its default options."""
    incidents: IncidentsConfig = IncidentsConfig()
    notifiers: list[NotifierConfigs] = [ConsoleNotifierConfig()]
    routing: list[RouteConfig] = []
    """Empty: every incident goes to every notifier."""
    teams: list[TeamConfig] = []
    digest: DigestConfig = DigestConfig()

    @property
    def spool_path(self) -> Path:
        return self.spool.path or self.daemon.data_dir / "spool.sqlite3"

    @property
    def outbox_path(self) -> Path:
        return self.outbox.path or self.daemon.data_dir / "outbox.sqlite3"

    def source(self, name: str) -> SourceConfigs | None:
        return next((s for s in self.sources if s.name == name), None)

    def scratch(self, data_dir: Path) -> Config:
        """The same configuration with its spool, outbox and an SQLite store under
        ``data_dir`` (a replay's, a backtest's, or one to look at afterwards)."""
        return self.model_copy(
            update={
                "daemon": self.daemon.model_copy(update={"data_dir": data_dir}),
                "spool": self.spool.model_copy(update={"path": None}),
                "outbox": self.outbox.model_copy(update={"path": None}),
                "storage": SqliteStoreConfig(),
            }
        )


PLUGIN_FIELDS: dict[str, Registry[Any]] = {
    "storage": STORES,
    "model": SCORERS,
    "detectors": DETECTORS,
    "enrichers": ENRICHERS,
    "notifiers": NOTIFIERS,
    "sources": SPIDERS,
}
"""The Config fields that hold plugin options, and the registry each one's tag names."""


@lru_cache(maxsize=32)
def config_model(extra: frozenset[tuple[str, str]] = frozenset()) -> type[Config]:
    """``Config``, or a subclass of it whose plugin unions also hold the plugins named by
    import path in ``extra`` (field, ``module:Class``) pairs; the loader finds those."""
    if not extra:
        return Config
    fields: dict[str, Any] = {}
    for name, registry in PLUGIN_FIELDS.items():
        paths = sorted(path for field, path in extra if field == name)
        if not paths:
            continue
        union = registry.config_union(paths)
        default = Config.model_fields[name].default
        fields[name] = (list[union] if isinstance(default, list) else union, default)  # type: ignore[valid-type]
    model: type[Config] = create_model("Config", __base__=Config, **fields)
    return model
