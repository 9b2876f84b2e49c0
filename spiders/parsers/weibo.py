"""Weibo JSON: m.weibo.cn (search, timelines, long text, status pages), the app API
(api.weibo.cn/2) and weibo.com's ajax endpoints — they share one status schema.

One status becomes one mention; a repost also yields its original (the thread root),
because the root is often the post that names the brand. Comment and repost lists
that weibo.com renders as HTML inside JSON are read with the same selectors as the
HTML parser.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

from parsel import Selector

from listener.domain import Author, MentionKind, mention_id
from spiders.parsers import weibo_html
from spiders.parsers.base import Blocked, Page, ParseContext, Unparseable, as_int, counts, load_json
from spiders.parsers.times import from_epoch, weibo_time
from spiders.parsers.weibo_ids import PLATFORM, status_url

_LEADING_NAME = re.compile(r"^<div[^>]*>\s*<a [^>]*usercard=[^>]*>[^<]*</a>\s*[：:]?", re.DOTALL)


def weibo_author(user: dict[str, Any] | None) -> Author:
    user = user or {}
    return Author(
        id=str(user.get("idstr") or user.get("id") or ""),
        name=str(user.get("screen_name") or user.get("name") or ""),
        followers=as_int(user["followers_count"]) if "followers_count" in user else None,
        verified=bool(user.get("verified")),
        verified_reason=str(user.get("verified_reason") or ""),
    )


def status_mentions(status: dict[str, Any], ctx: ParseContext, page: Page) -> None:
    """Append one status (and the original it reposts) to the page."""
    root = status.get("retweeted_status")
    root_id = None
    if isinstance(root, dict) and root.get("user"):
        root_id = _native_id(root)
        _append_status(root, None, ctx, page)
    _append_status(status, root_id, ctx, page)


def _native_id(status: dict[str, Any]) -> str:
    return str(status.get("mid") or status.get("idstr") or status.get("id") or "")


def _append_status(
    status: dict[str, Any], root_id: str | None, ctx: ParseContext, page: Page
) -> None:
    native_id = _native_id(status)
    if not native_id:
        page.errors.append("status without an id")
        return
    published = weibo_time(status.get("created_at"), native_id, ctx.reference_time())
    if published is None:
        page.errors.append(f"status {native_id}: unreadable time {status.get('created_at')!r}")
        return
    long_text = status.get("longText")
    full_text = long_text.get("content") if isinstance(long_text, dict) else None
    text = full_text or status.get("text") or status.get("text_raw") or ""
    truncated = bool(status.get("isLongText")) and not full_text
    if truncated:
        page.long_text_ids.append(native_id)
    author = weibo_author(status.get("user"))
    bid = str(status.get("bid") or status.get("mblogid") or "")
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=native_id,
            kind=MentionKind.REPOST if root_id else MentionKind.POST,
            url=status_url(native_id, author.id, bid),
            thread_id=mention_id(PLATFORM, root_id) if root_id else None,
            parent_id=mention_id(PLATFORM, root_id) if root_id else None,
            text=str(text),
            published_at=published,
            author=author,
            engagement=counts(
                reposts=status.get("reposts_count"),
                comments=status.get("comments_count"),
                likes=status.get("attitudes_count"),
            ),
            long_text=bool(status.get("isLongText")) or full_text is not None,
        )
    )


def _statuses(data: Any) -> list[dict[str, Any]] | None:
    """The statuses in any of the list shapes, or None when this is not a list."""
    if isinstance(data, dict) and "cards" in data:
        found = []
        for card in data.get("cards") or []:
            for item in [card, *(card.get("card_group") or [])]:
                if isinstance(item, dict) and isinstance(item.get("mblog"), dict):
                    found.append(item["mblog"])
        return found
    if isinstance(data, dict) and "favorites" in data:
        return [f["status"] for f in data["favorites"] or [] if isinstance(f.get("status"), dict)]
    if isinstance(data, dict):
        # statuses (timelines), list (weibo.com ajax/statuses/mymblog), reposts and
        # hot_reposts (the app API's statuses/repost_timeline)
        keys = [k for k in ("statuses", "list", "reposts", "hot_reposts") if k in data]
        if keys and all(isinstance(data[k], list) for k in keys):
            return [s for k in keys for s in data[k] if isinstance(s, dict) and "user" in s]
    if isinstance(data, list):
        return [s for s in data if isinstance(s, dict) and "user" in s]
    return None


def parse(body: bytes, ctx: ParseContext) -> Page:
    """Any Weibo body: JSON here, HTML pages handed to the HTML parser."""
    if body.lstrip()[:1] == b"<":
        return weibo_html.parse(body, ctx)
    doc = load_json(body, "Weibo")
    if not isinstance(doc, dict):
        raise Unparseable("Weibo JSON must be an object")
    _check_refusal(doc)
    if doc.get("ok") == 0 and not doc.get("data"):
        return Page()  # m.weibo.cn's {"ok":0,"msg":"这里还没有内容"}: past the last page
    data = doc.get("data", doc)
    if isinstance(data, str):
        # weibo.com p/aj/v6/mblog/mbloglist: {"code": "100000", "data": "<feed HTML>"}
        return weibo_html.parse(data.encode(), ctx) if data.strip() else Page()
    info = data.get("cardlistInfo") if isinstance(data, dict) else None
    if isinstance(info, dict) and info.get("starttime"):
        ctx = ctx.with_page_clock(from_epoch(info["starttime"]))
    page = Page()
    statuses = _statuses(data)
    if statuses is not None:
        for status in statuses:
            status_mentions(status, ctx, page)
        _paging(data, doc, page)
    elif isinstance(data, dict) and _is_comment_list(data.get("data")):
        _hot_comments(data, ctx, page)
    elif isinstance(data, dict) and "longTextContent" in data:
        _long_text(data, ctx, page)
    elif isinstance(data, dict) and isinstance(data.get("html"), str):
        _html_list(data["html"], ctx, page)
    elif isinstance(data, dict) and "user" in data and ("text" in data or "longText" in data):
        status_mentions(data, ctx, page)
    else:
        raise Unparseable("JSON is not a Weibo status, list, long text or comment page")
    return page


def _check_refusal(doc: dict[str, Any]) -> None:
    ok = doc.get("ok")
    url = str(doc.get("url") or "")
    if ok == -100 or "passport.weibo" in url or "login" in url:
        raise Blocked("Weibo asks for a login (ok=-100): the cookie is missing or expired")
    if "errno" in doc and str(doc.get("errno")) not in ("0", ""):
        raise Blocked(f"Weibo refused the request: errno={doc['errno']} {doc.get('msg', '')}")


def _paging(data: Any, doc: dict[str, Any], page: Page) -> None:
    info = data.get("cardlistInfo") if isinstance(data, dict) else None
    info = info or doc.get("cardlistInfo") or {}
    since = info.get("since_id") or (data.get("next_cursor") if isinstance(data, dict) else None)
    if since:
        page.next_token = str(since)
    page.more = bool(page.mentions) and (bool(since) or info.get("page") is not None)


def _long_text(data: dict[str, Any], ctx: ParseContext, page: Page) -> None:
    """``statuses/extend``: the full text of one post; its id is only in the URL."""
    native_id = _query(ctx.url, "id")
    if not native_id:
        page.errors.append("long-text response without ?id= in its URL: pass --url")
        return
    published = weibo_time(None, native_id, ctx.reference_time()) or ctx.reference_time()
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=native_id,
            url=status_url(native_id),
            text=str(data.get("longTextContent") or ""),
            published_at=published,
            author=Author(id=""),
            engagement=counts(
                reposts=data.get("reposts_count"),
                comments=data.get("comments_count"),
                likes=data.get("attitudes_count"),
            ),
            long_text=True,
        )
    )


def _is_comment_list(items: Any) -> bool:
    return isinstance(items, list) and all(
        isinstance(c, dict) and ("rootid" in c or "like_count" in c or "like_counts" in c)
        for c in items
    )


def _hot_comments(data: dict[str, Any], ctx: ParseContext, page: Page) -> None:
    """m.weibo.cn ``comments/hotflow`` (a thread's hot comments and their replies, paged
    by ``max_id``) and the legacy ``api/comments/show`` (``hot_data`` on the first page,
    ``like_counts``, paged by ``page`` up to ``max``)."""
    root_native = _query(ctx.url, "id") or _query(ctx.url, "mid")
    now = ctx.reference_time()
    for comment in [*(data.get("hot_data") or []), *data["data"]]:
        for item in [comment, *(comment.get("comments") or [])]:
            if not isinstance(item, dict):
                continue
            native_id = str(item.get("idstr") or item.get("id") or "")
            published = weibo_time(item.get("created_at"), native_id, now)
            root = root_native or str(item.get("rootid") or "")
            if not native_id or published is None or not root:
                page.errors.append(f"comment {native_id or '?'}: no id, time or thread")
                continue
            thread = mention_id(PLATFORM, root)
            page.add(
                ctx.mention(
                    platform=PLATFORM,
                    native_id=native_id,
                    kind=MentionKind.COMMENT,
                    url=status_url(root),
                    thread_id=thread,
                    parent_id=thread,
                    text=str(item.get("text") or ""),
                    published_at=published,
                    author=weibo_author(item.get("user")),
                    engagement=counts(
                        likes=item.get("like_count", item.get("like_counts")),
                        comments=item.get("total_number"),
                    ),
                )
            )
    if "max_id" in data:
        page.more = bool(as_int(data.get("max_id")))
        page.next_token = str(data.get("max_id")) if page.more else None
    else:
        shown = as_int(_query(ctx.url, "page")) or 1
        page.more = shown < as_int(data.get("max"))
        page.next_token = str(shown + 1) if page.more else None


def _query(url: str, key: str) -> str:
    values = parse_qs(urlparse(url).query).get(key)
    return values[0] if values else ""


def _html_list(html: str, ctx: ParseContext, page: Page) -> None:
    """weibo.com ``aj/v6/comment/big`` and ``aj/v6/mblog/info/big``: comments or reposts
    of one post (its id is the URL's ``id=``), rendered as HTML."""
    root_native = _query(ctx.url, "id")
    root = mention_id(PLATFORM, root_native) if root_native else None
    sel = Selector(text=html)
    now = ctx.reference_time()
    for item in sel.css("div[comment_id], div[mid][action-type=feed_list_item]"):
        native_id = item.attrib.get("comment_id") or item.attrib.get("mid") or ""
        is_comment = "comment_id" in item.attrib
        user_link = item.css("div.WB_text > a[usercard]")
        author_id = (user_link.attrib.get("usercard") or "").removeprefix("id=").split("&")[0]
        if is_comment:
            body = item.css("div.WB_text").get() or ""
            text = _LEADING_NAME.sub("", body, count=1)
        else:
            text = item.css("div.WB_text span[node-type=text]").get() or ""
        stamp = " ".join(item.css("div.WB_from ::text").getall()).strip()
        published = weibo_time(stamp, native_id, now)
        if not native_id or published is None:
            page.errors.append(f"list item {native_id or '?'}: no id or time")
            continue
        likes = item.css("span[node-type=like_status] em::text").getall()
        page.add(
            ctx.mention(
                platform=PLATFORM,
                native_id=native_id,
                kind=MentionKind.COMMENT if is_comment else MentionKind.REPOST,
                url=status_url(root_native or native_id),
                thread_id=root,
                parent_id=root,
                text=text,
                published_at=published,
                author=Author(id=author_id, name=user_link.css("::text").get("").strip()),
                engagement=counts(likes=likes[-1] if likes else 0),
            )
        )
    page.more = bool(page.mentions)
