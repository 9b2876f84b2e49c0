"""The sentiment scorers shipped with Listener: the only list (``model.type`` in the config)."""

from __future__ import annotations

from listener.plugin import Registry
from listener.scorers.base import ScorerPlugin
from listener.scorers.lexicon import LexiconScorer
from listener.scorers.transformer import TransformerScorer

SCORERS: Registry[ScorerPlugin] = Registry(
    "scorer", ScorerPlugin, "type", [LexiconScorer, TransformerScorer]
)
