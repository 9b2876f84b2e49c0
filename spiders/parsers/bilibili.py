"""Bilibili: video search (``x/web-interface/search/type?search_type=video``) and a
space's dynamics (``x/polymer/web-dynamic/v1/feed/space``).

A forwarded dynamic's thread is the dynamic it forwards (kept as its own mention);
a video's reach is its play count.
"""

from __future__ import annotations

from typing import Any

from listener.domain import Author, Engagement, MentionKind, mention_id
from spiders.parsers.base import Blocked, Page, ParseContext, Unparseable, as_int, load_json
from spiders.parsers.times import from_epoch

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
    data = doc.get("data") or {}
    page = Page()
    if isinstance(data.get("result"), list):
        for video in data["result"]:
            _video(video, ctx, page)
        page.more = as_int(data.get("page")) < as_int(data.get("numPages"))
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
    bvid = str(video.get("bvid") or "")
    native_id = bvid or f"av{video.get('aid') or video.get('id') or ''}"
    published = from_epoch(video.get("pubdate") or video.get("senddate"))
    if native_id in ("", "av") or published is None:
        page.errors.append(f"video {native_id or '?'}: no id or time")
        return
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=native_id,
            kind=MentionKind.VIDEO,
            url=f"https://www.bilibili.com/video/{bvid}" if bvid else str(video.get("arcurl", "")),
            title=str(video.get("title") or ""),
            text=str(video.get("description") or ""),
            published_at=published,
            author=Author(id=str(video.get("mid") or ""), name=str(video.get("author") or "")),
            engagement=Engagement(
                comments=as_int(video.get("review")) + as_int(video.get("video_review")),
                likes=as_int(video.get("favorites")) + as_int(video.get("like")),
                views=as_int(video.get("play")),
            ),
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
                verified=as_int(verify.get("type")) >= 0 and "type" in verify,
                verified_reason=str(verify.get("desc") or ""),
            ),
            engagement=Engagement(
                reposts=as_int((stat.get("forward") or {}).get("count")),
                comments=as_int((stat.get("comment") or {}).get("count")),
                likes=as_int((stat.get("like") or {}).get("count")),
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
