"""Builders for test data: real domain objects with sensible defaults."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from listener.domain import Author, Engagement, Mention, Score, SentimentLabel

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def score(label: SentimentLabel) -> Score:
    probs = {"negative": (0.9, 0.05), "positive": (0.05, 0.9), "neutral": (0.2, 0.2)}[label]
    return Score(label=label, negative=probs[0], positive=probs[1], model_version="test")


def mention(
    native_id: str,
    text: str = "小米手机不错",
    *,
    platform: str = "weibo",
    brands: tuple[str, ...] = ("小米",),
    sentiment: SentimentLabel | None = "neutral",
    at: datetime | None = None,
    minutes: float = 0,
    reposts: int = 0,
    followers: int = 100,
    **fields: Any,
) -> Mention:
    published = (at or T0) + timedelta(minutes=minutes)
    return Mention.create(
        platform=platform,
        native_id=native_id,
        source=fields.pop("source", "test"),
        text=text,
        published_at=published,
        collected_at=published + timedelta(minutes=1),
        author=fields.pop(
            "author", Author(id=f"u{native_id}", name=f"用户{native_id}", followers=followers)
        ),
        engagement=Engagement(reposts=reposts),
        brands=brands,
        sentiment=score(sentiment) if sentiment else None,
        **fields,
    )


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def post(native_id: str, text: str, minutes: int = 0, **fields: Any) -> dict[str, Any]:
    """One line of the JSON-lines source format."""
    return {
        "native_id": native_id,
        "text": text,
        "published_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "author": {"id": f"u{native_id}", "name": f"作者{native_id}", "followers": 10},
        **fields,
    }
