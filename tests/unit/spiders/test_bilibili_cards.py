"""Bilibili's older dynamics API, on a body written in its documented format (no real
``space_history`` body is among the captures): ``card`` is a JSON string per type."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from spiders.parsers import bilibili
from spiders.parsers.base import ParseContext

VIDEO = {
    "aid": 170001,
    "title": "小米汽车发布会回顾",
    "dynamic": "发布会全程",
    "pubdate": 1700000000,
}
TEXT = {"user": {"uid": 42, "uname": "小米汽车"}, "item": {"content": "致歉声明：刹车问题已查明"}}
FORWARD = {"item": {"content": "转发：说清楚了吗", "orig_dy_id": 880000000000000001}}


def card(kind: int, dynamic_id: str, body: dict[str, object], **desc: object) -> dict[str, object]:
    profile = {"info": {"uid": 42, "uname": "小米汽车"}}
    return {
        "desc": {
            "type": kind,
            "dynamic_id_str": dynamic_id,
            "timestamp": 1700000000,
            "user_profile": profile,
            "repost": 3,
            "comment": 14,
            "like": 159,
            "view": 2653,
            **desc,
        },
        "card": json.dumps(body, ensure_ascii=False),
    }


def test_space_history_cards_by_type() -> None:
    data = {
        "has_more": 1,
        "next_offset": 880000000000000000,
        "cards": [
            card(8, "880000000000000003", VIDEO),
            card(4, "880000000000000002", TEXT),
            card(1, "880000000000000004", FORWARD, orig_dy_id_str="880000000000000001"),
        ],
    }
    body = json.dumps({"code": 0, "msg": "", "data": data}).encode()
    page = bilibili.parse(body, ParseContext(now=datetime(2026, 12, 1, tzinfo=UTC)))
    video, text, forward = page.mentions
    assert video.native_id == "BV17x411w7KC" and video.kind == "video"  # av170001
    assert video.title == "小米汽车发布会回顾" and video.text == "发布会全程"
    assert text.id == "bilibili:880000000000000002" and text.text == "致歉声明：刹车问题已查明"
    assert text.author.name == "小米汽车" and text.engagement.views == 2653
    assert text.published_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert forward.kind == "repost" and forward.thread_id == "bilibili:880000000000000001"
    assert page.more and page.next_token == "880000000000000000"


def test_past_the_last_page_is_empty() -> None:
    body = b'{"code": 0, "data": {"has_more": 0, "next_offset": 0}}'
    page = bilibili.parse(body, ParseContext())
    assert page.mentions == [] and not page.more
