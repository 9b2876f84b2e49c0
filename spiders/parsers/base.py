"""What every parser shares: its input (a body and where it came from), its output
(the mentions found, the problems met, where the next page is) and its two failures.

A parser is a pure function ``parse(body, ctx) -> Page``: no network, no Scrapy, so
the same code runs in a crawl, in ``python -m spiders.parse`` and in the benchmarks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from listener.domain import Engagement, Mention, utcnow


class Unparseable(Exception):
    """The body is not something this parser understands (wrong platform, changed layout,
    an endpoint it does not read): a one-line reason, never the body itself. In a crawl
    the source is reported unhealthy ("layout changed"), never silently empty."""


class BadBody(Unparseable):
    """The body is broken in transit (truncated or undecodable JSON, an unreadable feed):
    the page is lost, but nothing says the platform changed."""


class Blocked(Exception):
    """The platform answered but refused us: a login wall, a captcha, a rate-limit page,
    or an empty-but-200 body. The crawl must stop and the source be marked unhealthy."""


class Selectors(BaseModel):
    """How to read a site without a feed: CSS, or XPath when starting with ``/`` or ``(``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item: str = Field(min_length=1)
    """Selector for one listed post on a list page."""
    fields: dict[Literal["link", "id", "title", "text", "author", "time"], str] = {}
    """Selectors inside an item; ``link`` defaults to ``a::attr(href)``."""
    next_page: str = ""
    """Selector for the next list page's URL (``a.next::attr(href)``)."""
    detail: dict[Literal["title", "text", "author", "time"], str] = {}
    """Selectors on the linked detail page; when set, each new item's page is fetched."""
    encoding: str | None = None
    """Force a charset when a site declares the wrong one (``gb18030``)."""


@dataclass(frozen=True)
class ParseContext:
    url: str = ""
    now: datetime | None = None
    """A reference time given by the caller (``python -m spiders.parse --now``, tests):
    when set it beats every clock below."""
    page_clock: datetime | None = None
    """The clock the page carries (Tieba's ``start_time``, Weibo's ``servertime`` and
    ``cardlistInfo.starttime``): when the server rendered its relative stamps."""
    served_at: datetime | None = None
    """The response's Date header (a live crawl): the server's clock when it answered."""
    source: str = "parse"
    platform: str | None = None
    """Record mentions under this platform (a feed's or a site's configured one)."""
    selectors: Selectors | None = None
    """What the generic parser reads a site with (the source's config)."""

    def reference_time(self) -> datetime:
        """What relative stamps (``3分钟前``, ``昨天 10:00``, ``06-13``, ``22:23``) are read
        against: the caller's time, else the page's own clock, else the response's Date
        header, else (a saved body with no clock at all) the current time. A page crawled
        late, replayed or backfilled thus keeps its own year."""
        return self.now or self.page_clock or self.served_at or utcnow()

    def with_page_clock(self, clock: datetime | None) -> ParseContext:
        """This context, reading relative stamps against the page's clock when it has one."""
        return replace(self, page_clock=clock) if clock is not None else self

    def mention(self, *, platform: str, native_id: str, **fields: Any) -> Mention:
        """A mention found by this parse: the source and the collection time (the caller's
        time when it gave one, else now) filled in."""
        return Mention.create(
            platform=platform,
            native_id=native_id,
            source=self.source,
            collected_at=self.now or utcnow(),
            **fields,
        )


MAX_ITEMS = 20_000
"""Posts one page may hold: real list pages hold 10 to 100, feeds a few hundred."""
MAX_SECONDS = 30.0
"""Parsing time one page may take: real pages take milliseconds."""


@dataclass
class Page:
    mentions: list[Mention] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Items that could not be used (each one line); the rest of the page still counts."""
    more: bool = False
    """The platform says there is a next page."""
    next_token: str | None = None
    """The platform's paging token (since_id, offset) when it pages by token."""
    long_text_ids: list[str] = field(default_factory=list)
    """Native ids whose text the platform truncated: fetch the full text."""

    _at: dict[str, int] = field(default_factory=dict, repr=False)
    """Where each id sits in ``mentions``: adding stays linear in the page's size."""
    _started: float = field(default_factory=time.monotonic, repr=False)

    def add(self, mention: Mention) -> None:
        """Add a mention; a post seen twice on one page (an original shown inside a
        repost and on its own) is kept once, in its fuller form. A page past its budget
        (``MAX_ITEMS`` posts, ``MAX_SECONDS`` of parsing) is a hostile or broken body:
        :class:`BadBody`, so one page cannot stall its source."""
        if time.monotonic() - self._started > MAX_SECONDS:
            raise BadBody(f"parsing took more than {MAX_SECONDS:.0f} s: page given up")
        index = self._at.get(mention.id)
        if index is None:
            if len(self.mentions) >= MAX_ITEMS:
                raise BadBody(f"more than {MAX_ITEMS:,} posts on one page: not a real listing")
            self._at[mention.id] = len(self.mentions)
            self.mentions.append(mention)
        elif _richness(mention) > _richness(self.mentions[index]):
            self.mentions[index] = mention


def _richness(mention: Mention) -> tuple[int, int, int]:
    return (mention.engagement.total, len(mention.text), int(mention.author.followers or 0))


Parser = Callable[[bytes, ParseContext], Page]


def load_json(body: bytes, what: str) -> Any:
    """Decode a JSON body, or say in one line why it is not JSON."""
    text = decode(body)
    stripped = text.lstrip()
    if not stripped:
        raise Blocked(f"empty response where {what} was expected")
    if stripped[0] == "<":
        if marker := verification_marker(stripped):
            raise Blocked(f"a verification page ({marker}) where {what} JSON was expected")
        raise Unparseable(f"got HTML where {what} JSON was expected")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadBody(f"not valid JSON ({what}): {exc.msg} at char {exc.pos}") from None
    except RecursionError:  # no platform nests a thousand levels: a hostile body
        raise BadBody(f"JSON nested too deeply to read ({what})") from None


# what the platforms' verification and captcha pages say: words that mean it only in
# the title (Zhihu 安全验证, Weibo 验证码) and names that mean it anywhere near the top
# (Zhihu's unhuman check, the Sina visitor system, Baidu's wappass, Bilibili's geetest)
_TITLE_MARKERS = ("安全验证", "验证码", "滑动验证")
_PAGE_MARKERS = ("unhuman", "captcha", "Sina Visitor System", "wappass.baidu.com", "geetest")


def verification_marker(html: str) -> str | None:
    """The marker of a verification (captcha) page at the head of an HTML body, if any."""
    head = html[:20_000]
    title_end = head.lower().find("</title>")
    title = head[:title_end] if title_end >= 0 else head[:2000]
    in_title = (m for m in (*_TITLE_MARKERS, *_PAGE_MARKERS) if m in title)
    return next(in_title, None) or next((m for m in _PAGE_MARKERS if m in head), None)


def load_html(body: bytes, what: str, declared: str | None = None) -> str:
    """Decode an HTML body; an empty one is a refusal, not an empty result."""
    html = decode(body, declared)
    if not html.strip():
        raise Blocked(f"empty response where {what} was expected")
    return html


def decode(body: bytes, declared: str | None = None) -> str:
    """Bytes to text: the declared charset, else UTF-8 (with a BOM), else GB18030 (a
    superset of GBK and GB2312, what older Chinese sites send), never an exception."""
    for encoding in (declared, "utf-8-sig", "gb18030"):
        if not encoding:
            continue
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", errors="replace")


def is_floor(value: Any) -> bool:
    """A count printed as a lower bound: "100万+", "10w+", "999+"."""
    return isinstance(value, str) and value.strip().endswith("+")


def counts(**raw: Any) -> Engagement:
    """Engagement from counts as the platform printed them; a tuple is summed (comments
    and danmaku). A count printed as a floor is kept at its floor and marked
    ``at_least``, so nothing downstream takes it for exact."""
    values: dict[str, int] = {}
    floors: list[str] = []
    for name, value in raw.items():
        parts = value if isinstance(value, tuple) else (value,)
        values[name] = sum(as_int(part) for part in parts)
        if any(is_floor(part) for part in parts):
            floors.append(name)
    return Engagement.model_validate({**values, "at_least": tuple(floors)})


def as_int(value: Any) -> int:
    """A count as platforms print it: 12, "12", "1.2万", "100万+", "3,204", "" → int ≥ 0."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, float):
        return max(int(value), 0)
    text = str(value).strip().replace(",", "").rstrip("+")
    scale = 1
    for suffix, factor in (("亿", 100_000_000), ("万", 10_000), ("w", 10_000), ("k", 1_000)):
        if text.lower().endswith(suffix):
            text, scale = text[: -len(suffix)], factor
            break
    try:
        return max(int(float(text) * scale), 0)
    except ValueError:
        return 0
