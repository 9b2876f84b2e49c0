"""Elasticsearch query DSL for the Store contract's queries, and mention documents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from listener.domain import Mention
from listener.stores.base import MentionQuery, searchable, split_terms

DERIVED = (
    "engagement_total",
    "sentiment_label",
    "crisis",
    "search_text",
    "sentiment_overrides",
    "overridden_brands",
)
"""Fields a mention's document carries beside the model, for queries and Kibana."""
OVERRIDE = "\x1f"
"""Between the brand and its label in ``sentiment_overrides`` (never in a brand name)."""


def overrides(mention: Mention) -> dict[str, str]:
    """The brands whose sentiment differs from ``sentiment_label`` (the first brand's),
    with theirs: counts and filters per brand correct for these few documents."""
    label = mention.sentiment.label if mention.sentiment else None
    return {
        brand: score.label
        for brand, score in mention.brand_sentiment.items()
        if score.label != label and brand in mention.brands
    }


def document(mention: Mention) -> dict[str, Any]:
    doc = mention.model_dump(mode="json")
    doc["engagement_total"] = mention.engagement.total
    doc["sentiment_label"] = mention.sentiment.label if mention.sentiment else None
    changed = overrides(mention)
    doc["sentiment_overrides"] = [f"{b}{OVERRIDE}{label}" for b, label in changed.items()]
    doc["overridden_brands"] = list(changed)
    doc["crisis"] = bool(mention.crisis_terms)
    doc["search_text"] = searchable(mention)
    return doc


def mention_from(source: dict[str, Any]) -> Mention:
    return Mention.model_validate({k: v for k, v in source.items() if k not in DERIVED})


def mention_query(q: MentionQuery) -> dict[str, Any]:
    """The same filters as every store: every text term (folded) in the folded copy, or
    in the title, text or original text of documents indexed before it existed (a phrase:
    Chinese is matched character by character by the standard analyzer)."""
    must: list[dict[str, Any]] = [
        {
            "multi_match": {
                "query": term,
                "type": "phrase",
                "fields": ["search_text", "title", "text", "text_original"],
            }
        }
        for term in split_terms(q.text)
    ]
    filters: list[dict[str, Any]] = []
    if q.brands:
        filters.append({"terms": {"brands": list(q.brands)}})
    if q.platforms:
        filters.append({"terms": {"platform": list(q.platforms)}})
    if q.sentiments:
        filters.append(sentiment_filter(q))
    window = {k: iso(v) for k, v in (("gte", q.since), ("lt", q.until)) if v is not None}
    if window:
        filters.append({"range": {"published_at": window}})
    if q.thread_id:
        filters.append(
            {
                "bool": {
                    "should": [{"term": {"thread_id": q.thread_id}}, {"term": {"id": q.thread_id}}],
                    "minimum_should_match": 1,
                }
            }
        )
    if q.crisis_only:
        filters.append({"term": {"crisis": True}})
    if q.author_ids:
        filters.append({"terms": {"author.id": list(q.author_ids)}})
    if q.min_influence is not None:
        filters.append({"range": {"author.influence": {"gte": q.min_influence}}})
    if q.min_reposts is not None:
        filters.append({"range": {"engagement.reposts": {"gte": q.min_reposts}}})
    return {"bool": {"must": must, "filter": filters}}


def sentiment_filter(q: MentionQuery) -> dict[str, Any]:
    """The label in ``q.sentiments``; with brands, the label toward one of them: a
    document's own label unless it was overridden for every queried brand, or an
    override for a queried brand."""
    own: dict[str, Any] = {"terms": {"sentiment_label": list(q.sentiments)}}
    if not q.brands:
        return own
    kept = {
        "bool": {"filter": [own], "must_not": [{"terms": {"overridden_brands": list(q.brands)}}]}
    }
    if len(q.brands) > 1:  # overridden for one of them, not necessarily for all: keep it
        kept = own
    wanted = [f"{b}{OVERRIDE}{s}" for b in q.brands for s in q.sentiments]
    return {
        "bool": {
            "should": [kept, {"terms": {"sentiment_overrides": wanted}}],
            "minimum_should_match": 1,
        }
    }


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()
