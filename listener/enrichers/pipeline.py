"""What happens to every mention before it is indexed: its sentiment, the configured
enrichers in order, a plausible publication time, and the history of earlier copies."""

from __future__ import annotations

from collections.abc import Sequence

from listener.domain import EngagementSnapshot, Mention
from listener.enrichers.base import Enricher

MAX_SNAPSHOTS = 48


def with_history(mention: Mention, previous: Mention | None) -> Mention:
    """Carry the engagement history of an already stored copy of the same post.

    Each collection of a post is one snapshot (when it was collected, its counts);
    the viral-thread detector reads growth from them. A full text fetched earlier
    survives a re-visit that saw only the platform's truncated version, and the
    publication time first recorded is kept.
    """
    if previous is None:
        return mention
    points = {s.at: s for s in previous.snapshots}
    points.setdefault(
        previous.collected_at,
        EngagementSnapshot(at=previous.collected_at, engagement=previous.engagement),
    )
    points.pop(mention.collected_at, None)
    history = tuple(sorted(points.values(), key=lambda s: s.at))[-MAX_SNAPSHOTS:]
    # a post is published once: the first time seen stays (a platform that prints no
    # time, or a relative one, must not move the post into a new bucket on every visit)
    update: dict[str, object] = {"snapshots": history, "published_at": previous.published_at}
    if previous.long_text and len(previous.text) > len(mention.text):
        # a re-visit saw the truncated text again: keep the full one fetched before
        update.update(text=previous.text, text_original=previous.text_original, long_text=True)
    return mention.model_copy(update=update)


def plausible_time(mention: Mention) -> Mention:
    """A post cannot be published after it was collected: a future ``published_at``
    (platform clock skew, a misread date) becomes the collection time, so it cannot land
    in a future bucket and fake a spike there."""
    if mention.published_at <= mention.collected_at:
        return mention
    return mention.model_copy(update={"published_at": mention.collected_at})


def enrich(mention: Mention, enrichers: Sequence[Enricher]) -> Mention:
    """The (scored) mention through every enricher, with a plausible publication time."""
    enriched = mention
    for enricher in enrichers:
        enriched = enricher.enrich(enriched)
    return plausible_time(enriched)
