"""Xiaohongshu (小红书) JSON: a note's feed entry (``api/sns/web/v1/feed``), a
collection page (``api/sns/web/v2/note/collect/page``) and a note's comments (the
mini-program comment API), with or without the ``{code, success, data}`` wrapper.

Parser only: Xiaohongshu's web API signs every request (``x-s``), so collect it
through an RSSHub route (the ``rss`` source) or hand saved bodies to
``python -m spiders.parse xiaohongshu``. Note and comment ids are ObjectIds whose
first four bytes are the creation second, which stands in where no time is given.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from listener.domain import Author, MentionKind, mention_id
from spiders.parsers.base import Blocked, Page, ParseContext, Unparseable, counts, load_json
from spiders.parsers.times import SHANGHAI, from_epoch, parse_cn_time

PLATFORM = "xiaohongshu"


def object_id_time(native_id: str) -> datetime | None:
    """The creation second in a 24-hex ObjectId (``64db49dc…`` → 2023-08-15)."""
    if len(native_id) != 24:
        return None
    try:
        seconds = int(native_id[:8], 16)
    except ValueError:
        return None
    return datetime.fromtimestamp(seconds, UTC) if seconds > 1_300_000_000 else None


def parse(body: bytes, ctx: ParseContext) -> Page:
    doc = load_json(body, "Xiaohongshu")
    if not isinstance(doc, dict):
        raise Unparseable("Xiaohongshu JSON must be an object")
    if "code" in doc and str(doc["code"]) != "0":
        raise Blocked(f"Xiaohongshu refused the request: code={doc['code']} {doc.get('msg', '')}")
    data = doc.get("data", doc) if isinstance(doc.get("data"), dict) else doc
    ctx = ctx.with_page_clock(from_epoch(data.get("current_time") or doc.get("current_time")))
    page = Page()
    if isinstance(data.get("items"), list):
        for item in data["items"]:
            if isinstance(item, dict) and isinstance(item.get("note_card"), dict):
                _note(item["note_card"], str(item.get("id") or ""), ctx, page)
        page.more = bool(data.get("cursor_score"))
    elif isinstance(data.get("notes"), list):
        for note in data["notes"]:
            if isinstance(note, dict):
                _note(note, "", ctx, page)
        page.more = bool(data.get("has_more"))
        page.next_token = str(data.get("cursor") or "") or None
    elif isinstance(data.get("comments"), list):
        _comments(data, ctx, page)
    else:
        raise Unparseable("JSON is not a Xiaohongshu note, collection or comment page")
    return page


def _author(user: Any) -> Author:
    user = user if isinstance(user, dict) else {}
    return Author(
        id=str(user.get("user_id") or user.get("id") or ""),
        name=str(user.get("nickname") or ""),
    )


def _note(note: dict[str, Any], fallback_id: str, ctx: ParseContext, page: Page) -> None:
    native_id = str(note.get("note_id") or note.get("id") or fallback_id)
    published = from_epoch(note.get("time")) or object_id_time(native_id)
    if not native_id or published is None:
        page.errors.append(f"note {native_id or '?'}: no id or time")
        return
    interact = note.get("interact_info") or {}
    title = str(note.get("title") or note.get("display_title") or "")
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=native_id,
            kind=MentionKind.VIDEO if note.get("type") == "video" else MentionKind.POST,
            url=f"https://www.xiaohongshu.com/explore/{native_id}",
            title=title,
            text=str(note.get("desc") or title),
            published_at=published,
            author=_author(note.get("user")),
            engagement=counts(
                likes=(interact.get("liked_count"), interact.get("collected_count")),
                comments=interact.get("comment_count"),
                reposts=interact.get("share_count"),
            ),
        )
    )


def _comments(data: dict[str, Any], ctx: ParseContext, page: Page) -> None:
    target = data.get("target_note") or {}
    note_id = str(target.get("id") or target.get("note_id") or "")
    thread = mention_id(PLATFORM, note_id) if note_id else None
    now = ctx.reference_time()
    for comment in data["comments"]:
        if not isinstance(comment, dict):
            continue
        for item in [comment, *(comment.get("sub_comments") or [])]:
            if not isinstance(item, dict):
                continue
            native_id = str(item.get("id") or "")
            stamp = str(item.get("time") or "")
            published = (
                (parse_cn_time(stamp, now.astimezone(SHANGHAI)) if stamp else None)
                or from_epoch(item.get("create_time"))
                or object_id_time(native_id)
            )
            if not native_id or published is None:
                page.errors.append(f"comment {native_id or '?'}: no id or time")
                continue
            page.add(
                ctx.mention(
                    platform=PLATFORM,
                    native_id=native_id,
                    kind=MentionKind.COMMENT,
                    url=f"https://www.xiaohongshu.com/explore/{note_id}" if note_id else "",
                    thread_id=thread,
                    parent_id=thread,
                    text=str(item.get("content") or ""),
                    published_at=published,
                    author=_author(item.get("user")),
                    engagement=counts(
                        likes=item.get("likes") or item.get("like_count"),
                        comments=item.get("sub_comments_total"),
                    ),
                )
            )
