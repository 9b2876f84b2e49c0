"""Weibo HTML: s.weibo.com search pages (the current ``div.card-wrap`` layout and the
pre-2018 ``p.comment_txt`` one) and weibo.cn's WAP pages (a profile's posts and a
post's comments). Posts are keyed by the same numeric id as the JSON parser, so one
post seen both ways is one mention.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from parsel import Selector, SelectorList

from listener.domain import Author, MentionKind, mention_id
from spiders.parsers.base import Blocked, Page, ParseContext, Unparseable, counts, load_html
from spiders.parsers.times import page_clock, weibo_time
from spiders.parsers.weibo_ids import PLATFORM, bid_to_mid, status_url

_COUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?[万亿]?\+?)")  # "2,301", "1.2万", "100万+"
_UID = re.compile(r"(?:weibo\.com|weibo\.cn)?/(?:u/)?(\d{5,})")
_BRACKET_COUNT = re.compile(r"\[(\d+)\]")
# weibo.cn's per-post buttons: 赞[41] 转发[30] 评论[16] 收藏 原图 操作 举报 …
_BUTTON = re.compile(r"^(赞|转发|评论|收藏|取消收藏|原图|操作|举报|删除|置顶)(\[\d+\])?$")
_TAGS = re.compile(r"<[^>]+>")
_BUTTON_TAIL = re.compile(r"(?:\s|&nbsp;|\xa0)+$")
_LOGIN_MARKERS = ("passport.weibo.com", "Sina Visitor System", "新浪通行证", "login.sina.com.cn")
_CAPTCHA_MARKERS = ("验证码", "安全验证", "异常访问")


_END_TAGS = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_FM_VIEW = re.compile(r"<script>\s*(?:parent\.)?FM\.view\((\{.*?\})\)\s*;?\s*</script>", re.DOTALL)


def _pagelets(html: str) -> str:
    """weibo.com V6 pages ship their feed as JSON in ``<script>FM.view({"domid": …,
    "html": "…"})</script>``: the blocks' HTML, in page order, appended to the page."""
    blocks = []
    for match in _FM_VIEW.finditer(html):
        try:
            view = json.loads(match.group(1))
        except ValueError:
            continue
        if isinstance(view, dict) and isinstance(view.get("html"), str):
            blocks.append(view["html"])
    # appended after the page's own end tags, where the HTML parser stops reading: drop them
    return _END_TAGS.sub("", html) + "".join(blocks) if blocks else html


def parse(body: bytes, ctx: ParseContext) -> Page:
    html = _pagelets(load_html(body, "a Weibo page"))
    sel = Selector(text=html, type="html")
    ctx = ctx.with_page_clock(page_clock(html))
    page = Page()
    if cards := sel.css("div.card-wrap[action-type=feed_list_item][mid]"):
        _search_cards(cards, ctx, page)
    elif feeds := sel.css("div[mid][action-type=feed_list_item]"):
        _legacy_feeds(feeds, ctx, page)
    elif sel.css("div.c[id^=M_], div.c[id^=C_]"):
        _wap(sel, ctx, page)
    else:
        _refusal_or_empty(sel, html)
        return page
    page.more = bool(page.mentions) and bool(
        sel.css("a.next, div.m-page a.next, div#pagelist a, a:contains('下页')")
    )
    return page


def _refusal_or_empty(sel: Selector, html: str) -> None:
    title = sel.css("title::text").get("")
    head = html[:20000]
    if any(marker in head or marker in title for marker in _LOGIN_MARKERS):
        raise Blocked("Weibo shows its login page: the cookie is missing or expired")
    if any(marker in title for marker in _CAPTCHA_MARKERS) or sel.css("#pl_common_verify"):
        raise Blocked("Weibo shows a captcha: too many requests from this address")
    if sel.css("div.card-no-result, div.search_noresult, div.m-error"):
        return  # a real "no results" page: nothing to collect, nothing wrong
    if "weibo" not in head.lower():
        raise Unparseable("not a Weibo page (no feed cards, no Weibo markers)")
    raise Unparseable("Weibo page without feed cards: the layout may have changed")


def _uid(href: str) -> str:
    match = _UID.search(href or "")
    return match.group(1) if match else ""


def _counts(texts: SelectorList[Selector]) -> list[str]:
    """Each button's count as printed ("" when it shows only its label)."""
    values = []
    for node in texts:
        found = _COUNT.findall(" ".join(node.css("::text").getall()))
        values.append(found[-1] if found else "")
    return values


def _search_cards(cards: SelectorList[Selector], ctx: ParseContext, page: Page) -> None:
    now = ctx.reference_time()
    for card in cards:
        mid = card.attrib["mid"]
        name_link = card.css("div.info a.name, a.name")
        text = card.css("p[node-type=feed_list_content_full]").get() or card.css(
            "p[node-type=feed_list_content]"
        ).get("")
        # the card's own time link, not the one of the original it reposts (card-comment)
        stamp_link = card.xpath(
            ".//*[contains(@class, 'from')][not(ancestor::div[contains(@class, 'card-comment')])]/a"
        )
        stamp = " ".join(stamp_link[:1].css("::text").getall()) if stamp_link else ""
        published = weibo_time(stamp, mid, now)
        if published is None:
            page.errors.append(f"card {mid}: unreadable time {stamp.strip()!r}")
            continue
        acts = card.css("div.card-act li")
        reposts, comments, likes = _counts(acts)[-3:] if len(acts) >= 3 else ("", "", "")
        author_id = _uid(name_link.attrib.get("href", ""))
        root = card.css("div.card-comment")
        thread_id = None
        if root:
            root_mid = root.attrib.get("mid") or _root_mid(root)
            thread_id = mention_id(PLATFORM, root_mid) if root_mid else None
            if root_mid:
                _original(root, root_mid, ctx, page)
        page.add(
            ctx.mention(
                platform=PLATFORM,
                native_id=mid,
                kind=MentionKind.REPOST if thread_id else MentionKind.POST,
                url=_https(stamp_link.attrib.get("href", "")) or status_url(mid),
                thread_id=thread_id,
                parent_id=thread_id,
                text=text,
                published_at=published,
                author=Author(
                    id=author_id,
                    name=name_link.attrib.get("nick-name") or name_link.css("::text").get(""),
                    verified=bool(card.css("div.info i.icon-vip-b, div.info i.icon-vip-y")),
                ),
                engagement=counts(reposts=reposts, comments=comments, likes=likes),
                long_text=bool(card.css("p[node-type=feed_list_content_full]")),
            )
        )


def _original(root: SelectorList[Selector], mid: str, ctx: ParseContext, page: Page) -> None:
    """The post a repost card quotes (``div.card-comment``): a mention of its own, as the
    JSON parser yields a repost's ``retweeted_status``."""
    stamp = " ".join(root.css("p.from a")[:1].css("::text").getall())
    published = weibo_time(stamp, mid, ctx.reference_time())
    if published is None:
        page.errors.append(f"reposted {mid}: unreadable time {stamp.strip()!r}")
        return
    name = root.css("a.name")
    numbers = _counts(root.css("ul.act li, div.card-act li"))
    reposts, comments, likes = numbers[-3:] if len(numbers) >= 3 else ("", "", "")
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=mid,
            url=_https(root.css("p.from a::attr(href)").get("")) or status_url(mid),
            text=root.css("p.txt").get(""),
            published_at=published,
            author=Author(
                id=_uid(name.attrib.get("href", "")),
                name=(name.attrib.get("nick-name") or name.css("::text").get("")).lstrip("@"),
            ),
            engagement=counts(reposts=reposts, comments=comments, likes=likes),
        )
    )


def _root_mid(root: SelectorList[Selector]) -> str:
    href = root.css("p.from a::attr(href)").get("")
    bid = href.rstrip("/").split("?")[0].rsplit("/", 1)[-1]
    try:
        return bid_to_mid(bid) if bid else ""
    except ValueError:
        return ""


def _https(href: str) -> str:
    href = href.split("?", maxsplit=1)[0]
    if href.startswith("//"):
        return "https:" + href
    return href if href.startswith("http") else ""


def _legacy_feeds(feeds: SelectorList[Selector], ctx: ParseContext, page: Page) -> None:
    now = ctx.reference_time()
    for feed in feeds:
        mid = feed.attrib["mid"]
        name = feed.css("a.name_txt, a.W_texta[nick-name]")
        date_link = feed.css("a[node-type=feed_list_item_date], div.feed_from a[date]")
        stamp = date_link.attrib.get("title", "") or " ".join(date_link.css("::text").getall())
        published = weibo_time(stamp, mid, now)
        if published is None:
            page.errors.append(f"feed {mid}: unreadable time {stamp!r}")
            continue
        numbers = _counts(feed.css("ul.feed_action_info li"))
        reposts, comments, likes = numbers[1:4] if len(numbers) >= 4 else ("", "", "")
        page.add(
            ctx.mention(
                platform=PLATFORM,
                native_id=mid,
                url=_https(date_link.attrib.get("href", "")) or status_url(mid),
                text=feed.css("p.comment_txt").get(""),
                published_at=published,
                author=Author(
                    id=_uid(name.attrib.get("usercard", "").replace("id=", "/") or ""),
                    name=name.attrib.get("nick-name") or name.attrib.get("title", ""),
                    verified=bool(feed.css("a.icon_approve, a.icon_approve_gold, a.approve_co")),
                ),
                engagement=counts(reposts=reposts, comments=comments, likes=likes),
            )
        )


def _wap(sel: Selector, ctx: ParseContext, page: Page) -> None:
    """weibo.cn: ``div.c#M_<bid>`` posts and ``div.c#C_<id>`` comments."""
    now = ctx.reference_time()
    profile = sel.css("div.u")
    owner = Author(
        id=_uid(sel.css("div.tip2 a::attr(href)").get("") or ctx.url),
        name=(profile.css("div.ut span.ctt::text").get("") or "").strip().split("\xa0")[0],
        followers=_bracket(sel.css("div.tip2 a[href$=fans]::text").get("")),
        verified=bool(profile.css("img[alt=V]")),
    )
    root_bid = ""
    for post in sel.css("div.c[id^=M_]"):
        bid = post.attrib["id"][2:]
        author, kind, thread = _poster(post) or owner, MentionKind.POST, None
        if not bid:  # the post heading a comment page: its bid is in the URL or the form
            in_url = re.search(r"/comment/([0-9A-Za-z]{5,12})", ctx.url)
            bid = in_url.group(1) if in_url else sel.css("form input[name=id]::attr(value)").get("")
            root_bid = bid
            poster = post.xpath("./div[1]/a[1]")
            author = Author(
                id=_wap_user(poster.attrib.get("href", "")) or owner.id,
                name=poster.css("::text").get("") or owner.name,
                verified=bool(post.xpath("./div[1]/img[@alt='V']")),
            )
        try:
            mid = bid_to_mid(bid)
            if "转发了" in " ".join(post.css("span.cmt::text").getall()):
                origin = post.css("a.cc[href*='/comment/']::attr(href)").get("")
                origin_bid = origin.split("/comment/")[-1].split("?")[0].split("#")[0]
                thread = mention_id(PLATFORM, bid_to_mid(origin_bid)) if origin_bid else None
                kind = MentionKind.REPOST if thread else kind
        except ValueError:
            page.errors.append(f"post {bid!r}: not a Weibo id")
            continue
        links = " ".join(post.css("a::text, span.cmt::text").getall())
        _append_wap(page, ctx, mid, post, author, now, links, kind, thread)
    root = mention_id(PLATFORM, bid_to_mid(root_bid)) if root_bid else None
    for comment in sel.css("div.c[id^=C_]"):
        native_id = comment.attrib["id"][2:]
        poster = comment.css("a[href^='/']")
        author = Author(
            id=_wap_user(poster.attrib.get("href", "")), name=poster.css("::text").get("")
        )
        links = " ".join(comment.css("span.cc a::text").getall())
        _append_wap(page, ctx, native_id, comment, author, now, links, MentionKind.COMMENT, root)


def _poster(post: Selector) -> Author | None:
    """On a feed or search page each post names its author (``a.nk``); the page's own
    ``div.tip2`` is then the logged-in viewer, who wrote none of them."""
    nick = post.css("a.nk")
    if not nick:
        return None
    return Author(
        id=_wap_user(nick.attrib.get("href", "")),
        name=nick.xpath("string()").get("").strip(),
        verified=bool(post.css("img[alt=V]")),
    )


def _wap_user(href: str) -> str:
    """weibo.cn links a user as ``/1669879400`` or by a custom path (``/happywhisper``)."""
    return _uid(href) or re.sub(r"^(?:https?:)?//[^/]+", "", href).strip("/").split("?")[0]


def _bracket(text: str) -> int | None:
    match = _BRACKET_COUNT.search(text or "")
    return int(match.group(1)) if match else None


def _append_wap(
    page: Page,
    ctx: ParseContext,
    native_id: str,
    node: Selector,
    author: Author,
    now: datetime,
    links: str,
    kind: MentionKind,
    root: str | None,
) -> None:
    stamp = node.css("span.ct::text").get("")
    published = weibo_time(stamp.split("来自")[0], native_id, now)
    if published is None:
        page.errors.append(f"{kind} {native_id}: unreadable time {stamp!r}")
        return
    texts = node.css("span.ctt").getall()
    reason = node.xpath(
        ".//span[@class='cmt' and text()='转发理由:']/following-sibling::node()"
        "[following-sibling::span[@class='ct']]"
    )
    if reason:
        # the reason runs up to the stamp, past the page's own buttons: keep them out
        parts = [
            html
            for html in reason.getall()
            if not html.startswith("<!--") and not _BUTTON.match(_TAGS.sub("", html).strip())
        ]
        text = _BUTTON_TAIL.sub("", "".join(parts))
    else:
        text = "".join(texts)
    likes = _bracket(_after(links, "赞")) or 0
    reposts = _bracket(_after(links, "转发")) or 0
    comments = _bracket(_after(links, "评论")) or 0
    page.add(
        ctx.mention(
            platform=PLATFORM,
            native_id=native_id,
            kind=kind,
            url=status_url(native_id),
            thread_id=root,
            parent_id=root,
            text=text,
            published_at=published,
            author=author,
            engagement=counts(reposts=reposts, comments=comments, likes=likes),
        )
    )


def _after(text: str, label: str) -> str:
    index = text.rfind(label + "[")
    return text[index:] if index >= 0 else ""
