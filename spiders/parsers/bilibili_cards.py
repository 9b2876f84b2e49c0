"""Bilibili's older dynamics API (``api.vc.bilibili.com/dynamic_svr/v1/dynamic_svr/
space_history``): ``data.cards``, each a ``desc`` (ids, type, time, author, counts) and a
``card`` that is itself a JSON *string* shaped by the type — 1 a forward (its ``origin``
another JSON string), 2 a picture post, 4 a text post, 8 a video, 64 an article.
Paged by ``next_offset`` while ``has_more``. A video is its BV id, as everywhere."""

from __future__ import annotations

import json
from typing import Any

from listener.domain import Author, MentionKind, mention_id
from spiders.parsers.base import Page, ParseContext, counts
from spiders.parsers.ids import bilibili_video_id
from spiders.parsers.times import from_epoch

PLATFORM = "bilibili"
_FORWARD, _VIDEO, _ARTICLE = 1, 8, 64


def space_history(data: dict[str, Any], ctx: ParseContext, page: Page) -> None:
    for card in data.get("cards") or []:
        _card(card, ctx, page)
    page.more = bool(data.get("has_more"))
    page.next_token = str(data.get("next_offset") or "") or None


def _loads(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        loaded = json.loads(value) if isinstance(value, str) else {}
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _text(kind: int, card: dict[str, Any]) -> tuple[str, str]:
    """(title, text) of a card of this type."""
    item = card.get("item") or {}
    if kind == _VIDEO:
        return str(card.get("title") or ""), str(card.get("dynamic") or card.get("desc") or "")
    if kind == _ARTICLE:
        return str(card.get("title") or ""), str(card.get("summary") or "")
    return "", str(item.get("description") or item.get("content") or "")


def _card(raw: Any, ctx: ParseContext, page: Page) -> None:
    desc = raw.get("desc") if isinstance(raw, dict) else None
    if not isinstance(desc, dict):
        page.errors.append("dynamic card without desc")
        return
    kind = int(desc.get("type") or 0)
    card = _loads(raw.get("card"))
    dynamic_id = str(desc.get("dynamic_id_str") or desc.get("dynamic_id") or "")
    published = from_epoch(desc.get("timestamp"))
    if not dynamic_id or published is None:
        page.errors.append(f"dynamic {dynamic_id or '?'}: no id or time")
        return
    video = kind == _VIDEO and bilibili_video_id(
        str(desc.get("bvid") or "") or f"av{card.get('aid') or desc.get('rid') or ''}"
    )
    native_id = video or dynamic_id
    forwarded = kind == _FORWARD and str(desc.get("orig_dy_id_str") or desc.get("orig_dy_id") or "")
    thread = mention_id(PLATFORM, forwarded) if forwarded and forwarded != "0" else None
    info = ((desc.get("user_profile") or {}).get("info")) or {}
    title, text = _text(kind, card)
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=native_id,
            kind=MentionKind.VIDEO
            if video
            else (MentionKind.REPOST if thread else MentionKind.POST),
            url=f"https://www.bilibili.com/video/{video}"
            if video
            else f"https://t.bilibili.com/{dynamic_id}",
            thread_id=thread,
            parent_id=thread,
            title=title,
            text=text,
            published_at=published,
            author=Author(
                id=str(info.get("uid") or desc.get("uid") or ""), name=str(info.get("uname") or "")
            ),
            engagement=counts(
                reposts=desc.get("repost"),
                comments=desc.get("comment"),
                likes=desc.get("like"),
                views=desc.get("view"),
            ),
        )
    )
