"""The one explicit registry: config model → plugin instance, for every plugin kind.

Adding a plugin means writing its file and adding one ``case`` here; nothing is
discovered by import side effects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from alerts.base import Notifier, State
from alerts.console import ConsoleNotifier, ConsoleNotifierConfig
from alerts.email import EmailNotifier, EmailNotifierConfig
from alerts.slack import SlackNotifier, SlackNotifierConfig
from alerts.webhook import WebhookNotifier, WebhookNotifierConfig
from listener.config.models import (
    BrandConfig,
    DetectorConfig,
    ModelConfig,
    NotifierConfigs,
    StorageConfig,
)
from listener.detectors.base import Detector
from listener.detectors.coordinated import CoordinatedConfig, CoordinatedDetector
from listener.detectors.crisis_terms import CrisisTermsConfig, CrisisTermsDetector
from listener.detectors.influential_author import (
    InfluentialAuthorConfig,
    InfluentialAuthorDetector,
)
from listener.detectors.negative_surge import NegativeSurgeConfig, NegativeSurgeDetector
from listener.detectors.viral_thread import ViralThreadConfig, ViralThreadDetector
from listener.detectors.volume_spike import VolumeSpikeConfig, VolumeSpikeDetector
from listener.scorers.base import Scorer
from listener.scorers.lexicon import LexiconScorer, LexiconScorerConfig
from listener.scorers.transformer import TransformerScorer, TransformerScorerConfig
from listener.stores.base import Store
from listener.stores.elasticsearch import ElasticsearchStore, ElasticsearchStoreConfig
from listener.stores.sqlite import SqliteStore, SqliteStoreConfig


def build_store(config: StorageConfig, data_dir: Path) -> Store:
    match config:
        case SqliteStoreConfig():
            return SqliteStore.from_config(config, data_dir)
        case ElasticsearchStoreConfig():
            return ElasticsearchStore.from_config(config)


def build_scorer(config: ModelConfig) -> Scorer:
    match config:
        case LexiconScorerConfig():
            return LexiconScorer(config)
        case TransformerScorerConfig():
            return TransformerScorer(config)


def build_detectors(
    configs: Sequence[DetectorConfig], brands: Sequence[BrandConfig] = ()
) -> list[Detector]:
    words = {b.name: {w.casefold() for w in (*b.aliases, *b.keywords)} for b in brands}
    detectors: list[Detector] = []
    for config in configs:
        match config:
            case NegativeSurgeConfig():
                detectors.append(NegativeSurgeDetector(config))
            case VolumeSpikeConfig():
                detectors.append(VolumeSpikeDetector(config))
            case ViralThreadConfig():
                detectors.append(ViralThreadDetector(config))
            case InfluentialAuthorConfig():
                detectors.append(InfluentialAuthorDetector(config))
            case CrisisTermsConfig():
                detectors.append(CrisisTermsDetector(config, words))
            case CoordinatedConfig():
                detectors.append(CoordinatedDetector(config))
    # the coordinated-posting detector runs first: the others discount what it found
    return sorted(detectors, key=lambda d: not isinstance(d, CoordinatedDetector))


def build_notifiers(
    configs: Sequence[NotifierConfigs], state: Callable[[str], State] | None = None
) -> dict[str, Notifier]:
    """``state(name)``: the durable state of one notifier (default: in memory)."""
    notifiers: dict[str, Notifier] = {}
    for config in configs:
        match config:
            case ConsoleNotifierConfig():
                notifiers[config.name] = ConsoleNotifier(config)
            case WebhookNotifierConfig():
                notifiers[config.name] = WebhookNotifier(config)
            case SlackNotifierConfig():
                notifiers[config.name] = SlackNotifier(
                    config, state(config.name) if state else None
                )
            case EmailNotifierConfig():
                notifiers[config.name] = EmailNotifier(config)
    return notifiers
