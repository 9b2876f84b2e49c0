"""Baidu Tieba: a forum's thread list (``tieba.baidu.com/f?kw=…``, the desktop bigpipe
page and the page served to phones), search result pages
(``tieba.baidu.com/f/search/res?qw=…``) and thread pages (``tieba.baidu.com/p/<tid>``:
every floor a ``div.l_post`` whose ``data-field`` JSON names its author and post id).

The thread list is delivered in "bigpipe" form: the list HTML sits inside HTML
comments in ``<code class="pagelet_html">`` blocks, so those are unwrapped first.
Times on the list are year-less (``6-22``) or clock-only (``10:25``): they are read
against the page's own clock (``start_time``, or the time in its ``tbs`` token), so a
page from 2018 read today is still dated 2018.
"""

from __future__ import annotations

import json
import re
from typing import Any

from parsel import Selector, SelectorList

from listener.domain import Author, MentionKind, mention_id
from spiders.parsers.base import (
    Blocked,
    Page,
    ParseContext,
    Unparseable,
    as_int,
    counts,
    load_html,
)
from spiders.parsers.times import page_clock, parse_cn_time

PLATFORM = "tieba"
_PAGELET_OPEN = re.compile(r"<code[^>]*pagelet_html[^>]*>\s*<!--")
_PAGELET_CLOSE = re.compile(r"-->\s*</code>")
_END_TAGS = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_THREAD = re.compile(r"/p/(\d+)")
_POST_ID = re.compile(r"[?&]pid=(\d+)")


def parse(body: bytes, ctx: ParseContext) -> Page:
    html = load_html(body, "a Tieba page")
    # pagelets arrive after </html>, where the HTML parser stops reading: drop the end tags
    html = _END_TAGS.sub("", _unwrap_pagelets(html))
    sel = Selector(text=html, type="html")
    ctx = ctx.with_page_clock(page_clock(html))
    page = Page()
    if threads := sel.css("li.j_thread_list[data-field]"):
        _thread_list(threads, ctx, page)
    elif mobile := sel.css("ul.threads_list li.tl_shadow, li.tl_shadow"):
        _mobile_thread_list(mobile, ctx, page)
    elif posts := sel.css("div.s_post"):
        _search_results(posts, ctx, page)
    elif floors := sel.css("div.l_post[data-field]"):
        _thread_page(floors, sel, ctx, page)
    else:
        _refusal_or_empty(sel, html)
        return page
    page.more = bool(sel.css("a.next, a.n:contains('下一页'), a:contains('下一页')"))
    return page


def _unwrap_pagelets(html: str) -> str:
    """The bigpipe pagelets' HTML out of their ``<code><!-- … --></code>`` wrappers, in one
    pass: each search starts where the last ended, so a page of unclosed wrappers costs
    linear time (a lazy regex over the whole page rescanned to the end for each one)."""
    parts, position = [], 0
    while opened := _PAGELET_OPEN.search(html, position):
        closed = _PAGELET_CLOSE.search(html, opened.end())
        if closed is None:
            break  # no wrapper after this one can close either
        parts += [html[position : opened.start()], html[opened.end() : closed.start()]]
        position = closed.end()
    return "".join(parts) + html[position:]


_TAIL_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}")


def _thread_page(
    floors: SelectorList[Selector], sel: Selector, ctx: ParseContext, page: Page
) -> None:
    """``/p/<tid>``: the first floor is the thread itself, every other floor a reply.
    The time is ``content.date`` in older pages, the last ``span.tail-info`` in newer
    ones; ad floors carry an empty ``data-field`` and are skipped."""
    now = ctx.reference_time()
    url_thread = _THREAD.search(ctx.url or "")
    title = sel.css("h1.core_title_txt, h3.core_title_txt")
    title_text = title.attrib.get("title") or title.xpath("string()").get("").strip()
    # the thread's reply count (the first floor's own comment_num counts only its 楼中楼)
    replies = sel.css("li.l_reply_num span.red::text").get()
    for floor in floors:
        try:
            data = json.loads(floor.attrib.get("data-field") or "{}")
        except ValueError:
            page.errors.append("thread floor with unreadable data-field")
            continue
        content, author = data.get("content") or {}, data.get("author") or {}
        post_id = str(content.get("post_id") or "")
        if not post_id:
            continue  # an ad floor
        tid = str(content.get("thread_id") or (url_thread.group(1) if url_thread else ""))
        if not tid:
            page.errors.append(f"post {post_id}: no thread id")
            continue
        stamps = _TAIL_TIME.findall(" ".join(floor.css("span.tail-info::text").getall()))
        stamp = str(content.get("date") or (stamps[-1] if stamps else ""))
        published = parse_cn_time(stamp, now)
        if published is None:
            page.errors.append(f"post {post_id}: unreadable time {stamp!r}")
            continue
        first = as_int(content.get("post_no")) == 1
        root = mention_id(PLATFORM, tid)
        text = floor.css(f"#post_content_{post_id}, div.d_post_content").get("")
        name = str(author.get("user_name") or author.get("name_u") or "")
        page.add(
            ctx.mention(
                platform=PLATFORM,
                native_id=tid if first else post_id,
                kind=MentionKind.POST if first else MentionKind.COMMENT,
                url=f"https://tieba.baidu.com/p/{tid}"
                + ("" if first else f"?pid={post_id}#{post_id}"),
                thread_id=None if first else root,
                parent_id=None if first else root,
                title=title_text if first else "",
                text=text,
                published_at=published,
                author=Author(id=str(author.get("user_id") or name), name=name),
                engagement=counts(comments=replies if first else content.get("comment_num")),
            )
        )


def _refusal_or_empty(sel: Selector, html: str) -> None:
    title = sel.css("title::text").get("")
    if (
        "安全验证" in title
        or "wappass.baidu.com" in html[:5000]
        or "passport.baidu.com/v2" in html[:5000]
    ):
        raise Blocked("Tieba shows a security check (百度安全验证): too many requests")
    if (
        sel.css("div.s_post_list, ul#thread_list, ul.threads_list")
        or "抱歉，没有找到" in html
        or "抱歉，根据相关法律" in html
    ):
        return
    if "tieba" not in html[:20000].lower() and "贴吧" not in html[:20000]:
        raise Unparseable("not a Tieba page (no thread list, no search results)")
    raise Unparseable("Tieba page without threads: the layout may have changed")


def _field(node: Selector | SelectorList[Selector]) -> dict[str, Any]:
    try:
        value = json.loads(node.attrib.get("data-field", "") or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _forum(sel_url: str) -> str:
    match = re.search(r"[?&]kw=([^&]+)", sel_url)
    return match.group(1) if match else ""


def _thread_list(threads: SelectorList[Selector], ctx: ParseContext, page: Page) -> None:
    now = ctx.reference_time()
    for thread in threads:
        data = _field(thread)
        native_id = str(data.get("id") or "")
        created = thread.css("span.is_show_create_time::text").get("").strip()
        replied = thread.css("span.threadlist_reply_date::text").get("").strip()
        published = parse_cn_time(created or replied, now)
        if not native_id or published is None:
            page.errors.append(f"thread {native_id or '?'}: no id or time ({created!r})")
            continue
        author_field = _field(thread.css("span.tb_icon_author"))
        title = thread.css("a.j_th_tit").attrib.get("title") or thread.css("a.j_th_tit::text").get(
            ""
        )
        abstract = thread.css("div.threadlist_abs").xpath("string()").get("").strip()
        page.add(
            ctx.mention(
                platform=PLATFORM,
                native_id=native_id,
                url=f"https://tieba.baidu.com/p/{native_id}",
                title=title,
                text=abstract or title,
                published_at=published,
                author=Author(
                    id=str(author_field.get("user_id") or data.get("author_portrait") or ""),
                    name=str(data.get("author_name") or data.get("author_nickname") or ""),
                ),
                engagement=counts(comments=data.get("reply_num")),
            )
        )


def _mobile_thread_list(threads: SelectorList[Selector], ctx: ParseContext, page: Page) -> None:
    """The forum list as served to a phone (``ul.threads_list``, also as a fragment): the
    thread's id on its link, the author's name, a clock-only or year-less time, replies.
    Pinned notices (``li.tl_top``) carry no author or time and are not posts."""
    now = ctx.reference_time()
    for thread in threads:
        link = thread.css("a.ti_item")
        native_id = (
            link.attrib.get("tid", "") or (_THREAD.findall(link.attrib.get("href", "")) or [""])[0]
        )
        if not native_id:
            continue  # an advertisement (广告): it links nowhere on Tieba
        stamp = thread.css("span.ti_time::text").get("").strip()
        published = parse_cn_time(stamp, now) if stamp else None
        if published is None:
            page.errors.append(f"thread {native_id or '?'}: no id or time ({stamp!r})")
            continue
        title = " ".join(thread.css("div.ti_title span:not(.ti_title_icon)::text").getall()).strip()
        author = thread.css("span.ti_author").xpath("string()").get("").strip()
        page.add(
            ctx.mention(
                platform=PLATFORM,
                native_id=native_id,
                url=f"https://tieba.baidu.com/p/{native_id}",
                title=title,
                text=title,
                published_at=published,
                author=Author(id=author, name=author),
                engagement=counts(comments=thread.css("div.btn_reply span.btn_icon::text").get("")),
            )
        )


def _search_results(posts: SelectorList[Selector], ctx: ParseContext, page: Page) -> None:
    """``f/search/res``: each ``div.s_post`` is a post or reply in some thread."""
    now = ctx.reference_time()
    for post in posts:
        link = post.css("span.p_title a, a.bluelink")
        href = link.attrib.get("href", "")
        thread = _THREAD.search(href)
        reply = _POST_ID.search(href)
        if not thread:
            page.errors.append("search result without a thread link")
            continue
        native_id = reply.group(1) if reply else thread.group(1)
        stamp = post.css("font.p_date::text, .p_date::text").get("").strip()
        published = parse_cn_time(stamp, now)
        if published is None:
            page.errors.append(f"post {native_id}: unreadable time {stamp!r}")
            continue
        authors = post.css("a[href*='/home/main'] font::text, a[href*='/home/main']::text")
        is_reply = reply is not None and reply.group(1) != thread.group(1)
        root = mention_id(PLATFORM, thread.group(1))
        page.add(
            ctx.mention(
                platform=PLATFORM,
                native_id=native_id,
                kind=MentionKind.COMMENT if is_reply else MentionKind.POST,
                url=f"https://tieba.baidu.com{href}" if href.startswith("/") else href,
                thread_id=root if is_reply else None,
                parent_id=root if is_reply else None,
                title=link.xpath("string()").get("").strip(),
                text=post.css("div.p_content").get(""),
                published_at=published,
                author=Author(
                    id=(authors.getall() or [""])[-1], name=(authors.getall() or [""])[-1]
                ),
            )
        )
