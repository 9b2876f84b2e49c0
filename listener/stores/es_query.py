"""Elasticsearch query DSL for the Store contract's queries, and mention documents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from listener.domain import Mention
from listener.stores.base import MentionQuery, searchable, split_terms

DERIVED = ("engagement_total", "sentiment_label", "crisis", "search_text")
"""Fields a mention's document carries beside the model, for queries and Kibana."""


def document(mention: Mention) -> dict[str, Any]:
    doc = mention.model_dump(mode="json")
    doc["engagement_total"] = mention.engagement.total
    doc["sentiment_label"] = mention.sentiment.label if mention.sentiment else None
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
        filters.append({"terms": {"sentiment_label": list(q.sentiments)}})
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


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()
