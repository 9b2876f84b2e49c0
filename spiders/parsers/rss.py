"""RSS 2.0, RSS 1.0 and Atom feeds (``feedparser``): news sites, blogs and RSSHub
routes, which many teams run to reach Weibo, Xiaohongshu, Douyin and WeChat accounts.

An entry's id is its guid (else its link); the platform is the feed's host, or the
platform an RSSHub route names (``/weibo/user/…`` → weibo), so the same post reached
directly and through RSSHub is counted once per platform.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlparse

import feedparser

from listener.domain import Author, MentionKind
from spiders.parsers.base import BadBody, Blocked, Page, ParseContext, Unparseable, decode
from spiders.parsers.ids import canonical_id

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DECLARED_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding=[\"'][^\"']*[\"']")
_RSSHUB_PLATFORMS = {
    "weibo": "weibo",
    "xiaohongshu": "xiaohongshu",
    "douyin": "douyin",
    "bilibili": "bilibili",
    "zhihu": "zhihu",
    "wechat": "wechat",
    "tieba": "tieba",
}


def parse(body: bytes, ctx: ParseContext) -> Page:
    if not body.strip():
        raise Blocked("empty response where a feed was expected")
    # decode here (declared charset, UTF-8, GB18030) and hand feedparser clean UTF-8: a
    # garbled encoding declaration or a NUL byte otherwise makes feedparser itself raise
    text = _CONTROL.sub("", decode(body))
    text = _DECLARED_ENCODING.sub(r"\1", text, count=1)
    try:
        feed: Any = feedparser.parse(text.encode("utf-8"))
    except (ValueError, UnicodeError) as exc:
        raise BadBody(f"not a readable feed: {exc}"[:200]) from None
    if not feed.get("version") and not feed.get("entries"):
        reason = getattr(feed.get("bozo_exception"), "args", [""])
        detail = str(reason[0]) if reason else "no RSS or Atom root element"
        raise Unparseable(f"not an RSS/Atom feed: {detail}"[:200])
    platform = _platform(ctx, feed)
    page = Page()
    channel_author = str(feed.feed.get("title") or "")
    feed_time = _time(feed.feed)
    for entry in feed.entries:
        link = str(entry.get("link") or "")
        native = str(entry.get("id") or link or "")
        if not native:
            page.errors.append(f"entry without id or link: {str(entry.get('title'))[:40]!r}")
            continue
        # an entry without any date is still news: first seen now (the page's own clock)
        published = _time(entry) or feed_time or ctx.reference_time()
        text = _content(entry)
        author = str(entry.get("author") or channel_author)
        page.add(
            ctx.mention(
                platform=platform,
                native_id=canonical_id(platform, link)
                or canonical_id(platform, native)
                or _short_id(native),
                kind=MentionKind.POST if platform != "news" else MentionKind.ARTICLE,
                url=link,
                title=str(entry.get("title") or ""),
                text=text,
                published_at=published,
                author=Author(id=author or urlparse(link).netloc, name=author),
            )
        )
    return page


def _platform(ctx: ParseContext, feed: Any) -> str:
    if ctx.platform:
        return ctx.platform
    self_link = next(
        (str(x.get("href")) for x in feed.feed.get("links", []) if x.get("rel") == "self"),
        ctx.url,
    )
    if str(feed.feed.get("generator", "")).lower() == "rsshub" or "rsshub" in self_link:
        route = urlparse(self_link).path.strip("/").split("/")[0]
        return _RSSHUB_PLATFORMS.get(route, route or "rss")
    return "news"


def _time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = dict.get(entry, key)  # plain lookup: no deprecated key aliasing
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    for key in ("published", "updated", "created"):  # what feedparser could not read
        text = dict.get(entry, key)
        if isinstance(text, str) and (when := _lenient_date(text)) is not None:
            return when
    return None


_WEEKDAY = re.compile(r"^\s*[A-Za-z]{2,9}\.?,\s*")


def _lenient_date(text: str) -> datetime | None:
    """An RFC 822 date with a misspelt weekday (``Wes, 18 Aug 2021 09:21:00 +0800``, seen
    in real feeds): the weekday says nothing the date does not, so it is dropped."""
    try:
        when = parsedate_to_datetime(_WEEKDAY.sub("", text))
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _content(entry: Any) -> str:
    contents = entry.get("content") or []
    if contents:
        return str(max(contents, key=lambda c: len(c.get("value", ""))).get("value", ""))
    return str(entry.get("summary") or entry.get("description") or entry.get("title") or "")


def _short_id(native: str) -> str:
    """Guids can be long URLs; ids stay short and stable."""
    if len(native) <= 120:
        return native
    return hashlib.sha1(native.encode()).hexdigest()
