"""Zhihu: search (``api/v4/search_v3``: answers, articles, questions as JSON), a member's
answers and activities and feeds (``api/v4/members/<id>/answers|activities``: the same
objects, bare or under ``target``), and the legacy mobile ``r/search`` (HTML fragments).

An answer's thread is its question, so every answer to one question is one
conversation for the detectors.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from listener.domain import Author, MentionKind, mention_id
from spiders.parsers.base import Blocked, Page, ParseContext, Unparseable, as_int, counts, load_json
from spiders.parsers.times import from_epoch, parse_cn_time

PLATFORM = "zhihu"
_KINDS = {"answer": MentionKind.ANSWER, "article": MentionKind.ARTICLE, "pin": MentionKind.POST}
_QUESTION_IN_URL = re.compile(r"/question/(\d+)")


def parse(body: bytes, ctx: ParseContext) -> Page:
    doc = load_json(body, "Zhihu search")
    if not isinstance(doc, dict):
        raise Unparseable("Zhihu JSON must be an object")
    if "error" in doc:
        error = doc["error"] if isinstance(doc["error"], dict) else {}
        code = error.get("code", "")
        message = error.get("message", "")
        raise Blocked(f"Zhihu refused the request: code={code} {message}".strip())
    page = Page()
    if isinstance(doc.get("data"), list):
        for item in doc["data"]:
            _search_item(item, ctx, page)
        _unknown_items(doc["data"], page)
    elif isinstance(doc.get("htmls"), list):
        for fragment in doc["htmls"]:
            _html_item(str(fragment), ctx, page)
    else:
        raise Unparseable("JSON is not a Zhihu search response (no data, no htmls)")
    paging = doc.get("paging") or {}
    page.more = bool(paging.get("next")) and not paging.get("is_end", False)
    offset = re.search(r"[?&]offset=(\d+)", str(paging.get("next") or ""))
    page.next_token = offset.group(1) if offset else None
    return page


def _unknown_items(items: list[Any], page: Page) -> None:
    """Items were listed but none was a post (answer, article, question, pin): a new layout or an
    endpoint this parser does not read, never a quiet success. An empty list (the end of
    a member's answers, a search with no result) is one."""
    if items and not page.mentions and not page.errors:
        kinds = sorted({_kind(item) for item in items if isinstance(item, dict)} - {""})
        raise Unparseable(
            f"{len(items)} Zhihu items, none an answer, article, question or pin "
            f"(types: {', '.join(kinds[:5]) or 'none'})"
        )


def _kind(item: dict[str, Any]) -> str:
    target = _content(item)
    return str(target.get("type") or item.get("type") or "")


def _content(item: dict[str, Any]) -> dict[str, Any]:
    """The answer, article or question an item is about: search results wrap it in
    ``object``, feeds and activities in ``target``; member lists give it bare."""
    for key in ("object", "target"):
        if isinstance(item.get(key), dict):
            found: dict[str, Any] = item[key]
            return found
    return item


def _search_item(item: Any, ctx: ParseContext, page: Page) -> None:
    if not isinstance(item, dict):
        return
    obj = _content(item)  # related searches, ads and other cards have no known type
    kind_name = str(obj.get("type") or "")
    native_id = str(obj.get("id") or "")
    if kind_name not in (*_KINDS, "question") or not native_id:
        return
    author_data = obj.get("author") or {}
    question = obj.get("question") or {}
    if kind_name == "answer":
        thread_native = str(question.get("id") or "")
        url = f"https://www.zhihu.com/question/{thread_native}/answer/{native_id}"
        title = str(question.get("name") or question.get("title") or "")
    elif kind_name == "article":
        thread_native = ""
        url = f"https://zhuanlan.zhihu.com/p/{native_id}"
        title = str(obj.get("title") or "")
    elif kind_name == "pin":  # 想法, Zhihu's short posts: text in a list of content blocks
        thread_native = ""
        url = f"https://www.zhihu.com/pin/{native_id}"
        title = ""
        obj = {**obj, "content": _pin_text(obj)}
    else:
        thread_native = native_id
        url = f"https://www.zhihu.com/question/{native_id}"
        title = str(obj.get("title") or obj.get("name") or "")
    published = from_epoch(
        obj.get("created_time")
        or obj.get("created")  # pins
        or obj.get("updated_time")
        or item.get("created_time")  # the activity's own time
    )
    if published is None and kind_name != "question":
        page.errors.append(f"{kind_name} {native_id}: no time")
        return
    mention_native = f"question-{native_id}" if kind_name == "question" else native_id
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=mention_native,
            kind=_KINDS.get(kind_name, MentionKind.QUESTION),
            url=url,
            thread_id=_thread(thread_native),
            title=title,
            text=str(obj.get("content") or obj.get("excerpt") or title),
            published_at=published or ctx.reference_time(),
            author=Author(
                id=str(author_data.get("url_token") or author_data.get("id") or ""),
                name=str(author_data.get("name") or ""),
                followers=as_int(author_data["follower_count"])
                if "follower_count" in author_data
                else None,
                verified=bool(author_data.get("badge")),
                verified_reason="; ".join(
                    str(b.get("description") or "") for b in author_data.get("badge") or []
                ),
            ),
            engagement=counts(
                comments=(obj.get("comment_count"), obj.get("answer_count")),
                likes=obj.get("voteup_count") or obj.get("like_count"),
            ),
        )
    )


def _pin_text(pin: dict[str, Any]) -> str:
    """A pin's text blocks (its images and links are other block types)."""
    content = pin.get("content")
    blocks: list[Any] = content if isinstance(content, list) else []
    texts = [
        str(b.get("content") or b.get("own_text") or "")
        for b in blocks
        if isinstance(b, dict) and b.get("type") == "text"
    ]
    return "\n".join(t for t in texts if t) or str(pin.get("excerpt_title") or "")


def _thread(question_id: str) -> str | None:
    return mention_id(PLATFORM, f"question-{question_id}") if question_id else None


def _html_item(fragment: str, ctx: ParseContext, page: Page) -> None:
    sel = Selector(text=fragment)
    item = sel.css("li.item")
    entry_url = item.css("div.entry-content::attr(data-entry-url)").get("")
    answer = re.search(r"/answer/(\d+)", entry_url)
    if not answer:
        article = item.css("a.js-title-link::attr(href)").re_first(r"/p/(\d+)") or ""
        if not article:
            return  # topic, people and question cards carry no post
        native_id, kind, question_id = article, MentionKind.ARTICLE, ""
    else:
        native_id, kind = answer.group(1), MentionKind.ANSWER
        question = _QUESTION_IN_URL.search(entry_url)
        question_id = question.group(1) if question else ""
    author = item.css("a.author-link")
    content = item.css("script.content::text").get() or item.css("div.summary").get("")
    time_link = item.css("a.time")
    stamp = time_link.attrib.get("data-tooltip", "") or time_link.xpath("string()").get("")
    stamp = stamp.split("发布于")[-1].split("编辑于")[-1].strip()
    published = parse_cn_time(stamp, ctx.reference_time()) if stamp else None
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=native_id,
            kind=kind,
            url=urljoin(
                "https://www.zhihu.com/", entry_url or item.css("a.time::attr(href)").get("")
            ),
            thread_id=_thread(question_id),
            title=item.css("a.js-title-link").xpath("string()").get(""),
            text=content,
            published_at=published or ctx.reference_time(),
            author=Author(
                id=(author.attrib.get("href", "") or "").rsplit("/", 1)[-1],
                name=author.css("::text").get(""),
                verified=bool(item.css("span.icon-badge-identity")),
                verified_reason=item.css("span.badge-summary::text").get(""),
            ),
            engagement=counts(likes=item.css("a.js-vote-count::text").get()),
        )
    )
