"""Bilibili: video search (``x/web-interface/search/type?search_type=video``, and the
category search ``s.search.bilibili.com/cate/search`` whose result list is not wrapped
in ``data``), a space's dynamics (``x/polymer/web-dynamic/v1/feed/space``), and a
video's comments (``x/v2/reply`` and ``x/v2/reply/main``, with their nested replies).

A forwarded dynamic's thread is the dynamic it forwards (kept as its own mention); a
comment's thread is its video (the BV id of its ``oid``), its parent the comment it
answers; a video's reach is its play count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from listener.domain import Author, Engagement, MentionKind, mention_id
from spiders.parsers.base import Blocked, Page, ParseContext, Unparseable, as_int, counts, load_json
from spiders.parsers.bilibili_cards import space_history
from spiders.parsers.ids import bilibili_video_id
from spiders.parsers.times import from_epoch, parse_cn_time

PLATFORM = "bilibili"
# -352/-412: risk control ("风控校验失败", "请求被拦截"); -101: not logged in
_REFUSALS = {-352: "risk control", -412: "request intercepted", -101: "login required"}


def parse(body: bytes, ctx: ParseContext) -> Page:
    doc = load_json(body, "Bilibili")
    if not isinstance(doc, dict) or "code" not in doc:
        raise Unparseable("JSON is not a Bilibili API response (no code)")
    if str(doc["code"]) != "0":
        code = str(doc["code"])
        why = _REFUSALS.get(int(code), "error") if code.lstrip("-").isdigit() else "error"
        message = doc.get("message", "")
        raise Blocked(f"Bilibili refused the request: code={code} ({why}) {message}".strip())
    data = (doc.get("data") or {}) if "data" in doc else doc
    page = Page()
    if isinstance(data.get("result"), list):
        for video in data["result"]:
            _video(video, ctx, page)
        page.more = as_int(data.get("page")) < as_int(data.get("numPages"))
    elif isinstance(data.get("replies"), list) or "cursor" in data or "page" in data:
        for reply in [*(data.get("top_replies") or []), *(data.get("replies") or [])]:
            _reply(reply, ctx, page)
        _reply_paging(data, page)
    elif isinstance(data.get("stat"), dict) and data.get("bvid"):
        _view(data, ctx, page)  # one video's detail (x/web-interface/view)
    elif isinstance(data.get("cards"), list) or ("has_more" in data and "next_offset" in data):
        space_history(data, ctx, page)  # the older dynamics API (dynamic_svr)
    elif isinstance(data.get("items"), list):
        for item in data["items"]:
            _dynamic(item, ctx, page)
        page.more = bool(data.get("has_more"))
        page.next_token = str(data.get("offset") or "") or None
    elif data == {} or (data.get("result") is None and "numResults" in data):
        return page  # a search with no results
    else:
        raise Unparseable("Bilibili response is neither a search result nor a dynamics feed")
    return page


def _video(video: Any, ctx: ParseContext, page: Page) -> None:
    if not isinstance(video, dict) or video.get("type") not in (None, "video"):
        return
    aid = video.get("aid") or video.get("id") or ""
    # pre-2020 lists carry only the aid: the same video as its BV id, so one video is
    # one mention whichever endpoint (or feed) found it
    bvid = str(video.get("bvid") or "") or bilibili_video_id(f"av{aid}")
    published = _when(video.get("pubdate"), ctx) or _when(video.get("senddate"), ctx)
    if not bvid or published is None:
        page.errors.append(f"video {bvid or '?'}: no id or time")
        return
    _add_video(
        page,
        ctx,
        bvid,
        published,
        video,
        str(video.get("description") or ""),
        Author(id=str(video.get("mid") or ""), name=str(video.get("author") or "")),
        counts(
            comments=(video.get("review"), video.get("video_review")),
            likes=(video.get("favorites"), video.get("like")),
            views=video.get("play"),
        ),
    )


def _add_video(
    page: Page,
    ctx: ParseContext,
    bvid: str,
    published: datetime,
    video: dict[str, Any],
    text: str,
    author: Author,
    engagement: Engagement,
) -> None:
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=bvid,
            kind=MentionKind.VIDEO,
            url=f"https://www.bilibili.com/video/{bvid}",
            title=str(video.get("title") or ""),
            text=text,
            published_at=published,
            author=author,
            engagement=engagement,
        )
    )


def _dynamic(item: Any, ctx: ParseContext, page: Page, root: str | None = None) -> str | None:
    """Append one dynamic (and what it forwards); return its mention id."""
    if not isinstance(item, dict) or not item.get("id_str"):
        return None
    native_id = str(item["id_str"])
    modules = item.get("modules") or {}
    author_data = modules.get("module_author") or {}
    dynamic = modules.get("module_dynamic") or {}
    stat = modules.get("module_stat") or {}
    forwarded = None
    if isinstance(item.get("orig"), dict):
        forwarded = _dynamic(item["orig"], ctx, page)
    published = from_epoch(author_data.get("pub_ts"))
    if published is None:
        page.errors.append(f"dynamic {native_id}: no time")
        return None
    title, text = _dynamic_text(dynamic)
    verify = author_data.get("official_verify") or {}
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=native_id,
            kind=MentionKind.REPOST if forwarded else MentionKind.POST,
            url=f"https://t.bilibili.com/{native_id}",
            thread_id=forwarded,
            parent_id=forwarded,
            title=title,
            text=text,
            published_at=published,
            author=Author(
                id=str(author_data.get("mid") or ""),
                name=str(author_data.get("name") or ""),
                verified=_verified(verify),
                verified_reason=str(verify.get("desc") or ""),
            ),
            engagement=counts(
                reposts=(stat.get("forward") or {}).get("count"),
                comments=(stat.get("comment") or {}).get("count"),
                likes=(stat.get("like") or {}).get("count"),
            ),
        )
    )
    return mention_id(PLATFORM, native_id)


def _dynamic_text(dynamic: dict[str, Any]) -> tuple[str, str]:
    desc = dynamic.get("desc") or {}
    text = str(desc.get("text") or "")
    major = dynamic.get("major") or {}
    archive = major.get("archive") or {}
    opus = major.get("opus") or {}
    title = str(archive.get("title") or opus.get("title") or "")
    if not text:
        text = str(archive.get("desc") or (opus.get("summary") or {}).get("text") or "")
    return title, text


def _view(video: dict[str, Any], ctx: ParseContext, page: Page) -> None:
    """``x/web-interface/view``: one video with its current counts (a tracked thread)."""
    bvid = str(video["bvid"])
    published = _when(video.get("pubdate"), ctx)
    if published is None:
        page.errors.append(f"video {bvid}: no time")
        return
    owner, stat = video.get("owner") or {}, video["stat"]
    _add_video(
        page,
        ctx,
        bvid,
        published,
        video,
        str(video.get("desc") or ""),
        Author(id=str(owner.get("mid") or ""), name=str(owner.get("name") or "")),
        counts(
            reposts=stat.get("share"),
            comments=(stat.get("reply"), stat.get("danmaku")),
            likes=(stat.get("favorite"), stat.get("like")),
            views=stat.get("view"),
        ),
    )


def _when(value: Any, ctx: ParseContext) -> datetime | None:
    """Epoch seconds (most endpoints) or a local ``2020-04-08 10:00:33`` (category search)."""
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return from_epoch(value)
    return parse_cn_time(value, ctx.reference_time()) if isinstance(value, str) else None


def _reply(reply: Any, ctx: ParseContext, page: Page, parent: str | None = None) -> None:
    """One comment (and its nested replies, which answer it)."""
    if not isinstance(reply, dict) or not reply.get("rpid"):
        return
    native_id = str(reply.get("rpid_str") or reply["rpid"])
    published = from_epoch(reply.get("ctime"))
    oid = str(reply.get("oid") or "")
    if published is None or not oid:
        page.errors.append(f"comment {native_id}: no time or video")
        return
    member = reply.get("member") or {}
    content = reply.get("content") or {}
    verify = member.get("official_verify") or {}
    # type 1 (the default) is a video, whose oid is its aid: the thread is the video's mention
    is_video = str(reply.get("type") or "1") == "1"
    bvid = bilibili_video_id(f"av{oid}") if is_video else None
    video = mention_id(PLATFORM, bvid or f"av{oid}")
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=f"reply-{native_id}",
            kind=MentionKind.COMMENT,
            url=f"https://www.bilibili.com/video/av{oid}#reply{native_id}",
            thread_id=video,
            parent_id=parent or video,
            text=str(content.get("message") or ""),
            published_at=published,
            author=Author(
                id=str(member.get("mid") or reply.get("mid") or ""),
                name=str(member.get("uname") or ""),
                verified=_verified(verify),
                verified_reason=str(verify.get("desc") or ""),
            ),
            engagement=counts(likes=reply.get("like"), comments=reply.get("rcount")),
        )
    )
    for nested in reply.get("replies") or []:
        _reply(nested, ctx, page, mention_id(PLATFORM, f"reply-{native_id}"))


def _reply_paging(data: dict[str, Any], page: Page) -> None:
    """``reply/main`` pages by cursor (``next``, ``is_end``); ``reply`` by page number."""
    cursor = data.get("cursor")
    if isinstance(cursor, dict):
        page.more = not cursor.get("is_end", True)
        page.next_token = str(cursor.get("next") or "") or None
        return
    found = data.get("page")
    numbers: dict[str, Any] = found if isinstance(found, dict) else {}
    shown = as_int(numbers.get("num")) * as_int(numbers.get("size"))
    page.more = 0 < shown < as_int(numbers.get("count"))
    page.next_token = str(as_int(numbers.get("num")) + 1) if page.more else None


def _verified(verify: dict[str, Any]) -> bool:
    """``official_verify.type``: -1 none, 0 a person, 1 an organisation."""
    try:
        return int(verify.get("type", -1)) >= 0
    except (TypeError, ValueError):
        return False
