"""Per-mention enrichment before indexing, one plugin per file (``Enricher`` in ``base``):
author influence, crisis vocabulary. ``pipeline`` applies them with what every mention
gets regardless (its sentiment, a plausible publication time, its engagement history)."""
