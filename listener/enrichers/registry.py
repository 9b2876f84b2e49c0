"""The enrichers shipped with Listener: the only list of them (``enrichers:`` in the config)."""

from __future__ import annotations

from listener.enrichers.base import Enricher
from listener.enrichers.crisis_terms import CrisisTermsEnricher
from listener.enrichers.influence import InfluenceEnricher
from listener.plugin import Registry

ENRICHERS: Registry[Enricher] = Registry(
    "enricher", Enricher, "type", [InfluenceEnricher, CrisisTermsEnricher]
)
