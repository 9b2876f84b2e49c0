"""Build each kind's plugins from one Config, through its registry.

Every plugin is built the same way: ``Registry.build(plugin_config, ctx)`` finds the
plugin its config's tag names and calls its ``from_config(config, ctx)``. Adding a
plugin never touches this file.
"""

from __future__ import annotations

from collections.abc import Callable

from alerts.base import Notifier
from alerts.registry import NOTIFIERS
from listener.config.models import Config
from listener.detectors.base import Detector
from listener.detectors.registry import DETECTORS
from listener.enrichers.base import Enricher
from listener.enrichers.registry import ENRICHERS
from listener.plugin import MemoryState, PluginContext, State
from listener.scorers.base import Scorer
from listener.scorers.registry import SCORERS
from listener.stores.base import Store
from listener.stores.registry import STORES
from listener.textfold import fold


def plugin_context(config: Config, state: Callable[[str], State] | None = None) -> PluginContext:
    """What plugins get besides their own options; ``state(name)`` is a notifier's
    durable state (default: in memory, for commands that send nothing)."""
    return PluginContext(
        data_dir=config.daemon.data_dir,
        brand_terms={
            b.name: frozenset(fold(w) for w in (b.name, *b.aliases, *b.keywords))
            for b in config.brands
        },
        crisis_vocabulary=config.detection.vocabulary(config.brands),
        timezone=config.daemon.timezone,
        language=config.daemon.language,
        state=state or (lambda name: MemoryState()),
    )


def build_store(config: Config) -> Store:
    return STORES.build(config.storage, plugin_context(config))


def build_scorer(config: Config) -> Scorer:
    return SCORERS.build(config.model, plugin_context(config))


def build_enrichers(config: Config) -> list[Enricher]:
    ctx = plugin_context(config)
    return [ENRICHERS.build(c, ctx) for c in config.enrichers]


def build_detectors(config: Config) -> list[Detector]:
    ctx = plugin_context(config)
    return [DETECTORS.build(c, ctx) for c in config.detectors]


def build_notifiers(
    config: Config, state: Callable[[str], State] | None = None
) -> dict[str, Notifier]:
    ctx = plugin_context(config, state)
    return {n.name: NOTIFIERS.build(n, ctx) for n in config.notifiers}
