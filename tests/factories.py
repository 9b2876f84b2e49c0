"""Builders for test data: real domain objects with sensible defaults."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.catalogue import Words
from listener.domain import (
    Author,
    Engagement,
    Incident,
    IncidentChange,
    IncidentEvent,
    IncidentStatus,
    Mention,
    Outage,
    Score,
    SentimentLabel,
    Signal,
    SourceHealth,
    VolumePoint,
)
from listener.stores.base import Store

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


def said(found: Signal | Incident, language: str = "zh") -> str:
    """What people read for a signal or an incident (the message catalogue's words)."""
    words = Words(language)
    if isinstance(found, Incident):
        return words.title(found)
    return words.signal(found.message, found.facts)


def incident(**fields: Any) -> Incident:
    """An open P2 incident about 小米 with a two-detector crisis score."""
    values: dict[str, Any] = {
        "id": "inc0001",
        "brand": "小米",
        "key": "brand",
        "status": IncidentStatus.OPEN,
        "severity": "P2",
        "message": "negative_surge.count",  # 负面提及 15 分钟内 47 条，是平时的 6.0 倍
        "facts": {"minutes": 15, "count": 47, "ratio": 6.0},
        "opened_at": T0,
        "updated_at": T0,
        "last_signal_at": T0,
        "crisis_score": 0.81,
        "parts": {"score.negative_surge": 0.74, "score.volume_spike": 0.3},
        "detectors": ("negative_surge", "volume_spike"),
    }
    return Incident(**(values | fields))


def incident_event(change: IncidentChange = "opened", **fields: Any) -> IncidentEvent:
    """An announcement with three posts, a Kibana link and six hours of volume."""
    posts = tuple(
        mention(
            f"p{i}",
            f"小米SU7 刹车失灵，4S店拒绝维修 #维权# [怒] 第{i}条" + " 详情" * 60,
            sentiment="negative",
            reposts=1200 // (i + 1),
            followers=2_300_000 // (i + 1),
            url=f"https://m.weibo.cn/status/p{i}?luicode=10000011&access_token=SECRET{i}",
        )
        for i in range(3)
    )
    volume = tuple(
        VolumePoint(
            start=T0 - timedelta(minutes=15 * (23 - i)), negative=i * 2, neutral=5, positive=3
        )
        for i in range(24)
    )
    values: dict[str, Any] = {
        "change": change,
        "incident": incident(),
        "top_mentions": posts,
        "links": {"kibana": "https://kibana.example.com/app/discover#/?_g=(time:(from:now-6h))"},
        "volume": volume,
    }
    return IncidentEvent(**(values | fields))


COMPLAINTS = [
    "发热严重",
    "客服敷衍",
    "售后太差",
    "系统卡顿",
    "要求退款",
    "又死机了",
    "快递烂了",
    "耳机坏了",
    "态度恶心",
    "交付拖延",
    "天天掉线",
    "撞坏家具",
]


def complaints(now: datetime, count: int = 30, brand: str = "小米") -> list[Mention]:
    """A burst of distinct negative posts in the last 8 minutes: enough for an incident."""
    return [
        mention(
            f"n{i}",
            f"{brand}{COMPLAINTS[i % len(COMPLAINTS)]}",
            brands=(brand,),
            sentiment="negative",
            at=now - timedelta(minutes=8),
            minutes=i / 10,
        )
        for i in range(count)
    ]


DIGEST_NOW = datetime(2026, 11, 21, 0, 30, tzinfo=UTC)
"""08:30 in Shanghai on 2026-11-21: the digest covers 2026-11-20 local."""
DIGEST_DAY = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)
"""2026-11-20 00:00 in Shanghai."""


def seed_digest_day(store: Store) -> None:
    """A day worth a digest: 12 小米 mentions (4 negative, one thread of two, a verified
    author with influence), 3 蔚来, a week of 7 小米 mentions a day (1 negative), an
    incident acknowledged after 12 and answered after 40 minutes, a broken source and a
    collection gap."""
    big_v = Author(id="bigv", name="数码大V", followers=2_300_000, verified=True, influence=0.91)
    extra: dict[int, dict[str, Any]] = {1: {"author": big_v}, 2: {"thread_id": "weibo:d0"}}
    extra[5] = {"author": big_v}
    day = [
        mention(
            f"d{i}",
            f"小米SU7 第{i}条评论" + ("，刹车失灵，维权！" if i < 4 else "，体验不错"),
            sentiment="negative" if i < 4 else "positive",
            at=DIGEST_DAY,
            minutes=60 + i * 80,
            reposts=(12 - i) * 40,
            url=f"https://m.weibo.cn/status/d{i}",
            **extra.get(i, {}),
        )
        for i in range(12)
    ]
    nio = [
        mention(f"n{i}", "蔚来换电很快", brands=("蔚来",), at=DIGEST_DAY, minutes=300 + i)
        for i in range(3)
    ]
    week = [
        mention(
            f"w{d}-{i}",
            sentiment="negative" if i == 0 else "neutral",
            at=DIGEST_DAY - timedelta(days=7 - d),
            minutes=100 + i * 120,
        )
        for d in range(7)
        for i in range(7)
    ]
    store.bulk_upsert(day + nio + week)
    opened = DIGEST_DAY + timedelta(hours=10)
    store.save_incident(
        incident(
            id="inc-digest",
            opened_at=opened,
            updated_at=opened + timedelta(hours=3),
            last_signal_at=opened + timedelta(hours=1),
            status=IncidentStatus.RESOLVED,
            acknowledged_at=opened + timedelta(minutes=12),
            acknowledged_by="U0ALICE",
            first_response_at=opened + timedelta(minutes=40),
            resolved_at=opened + timedelta(hours=3),
        )
    )
    store.save_source_health(SourceHealth(source="weibo-web", healthy=False, reason="captcha"))
    store.save_outage(
        Outage(
            source="zhihu",
            platforms=("zhihu",),
            start=DIGEST_DAY + timedelta(hours=2),
            end=DIGEST_DAY + timedelta(hours=5),
            reason="login wall",
        )
    )
