"""Any site without a feed, described by selectors in config: a list page whose items
link to detail pages (news sites, forums).

Selectors are CSS (``div.item``, ``a::attr(href)``) or XPath when they start with
``/`` or ``(``. On a list page each ``item`` yields a mention from its own fields;
``detail`` selectors, when configured, are read on the linked page by the spider and
replace the list's excerpt with the full text.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from listener.domain import Author, Mention, MentionKind
from spiders.parsers.base import (
    Page,
    ParseContext,
    Selectors,
    Unparseable,
    decode,
    load_html,
)
from spiders.parsers.times import parse_cn_time

PLATFORM_DEFAULT = "web"


def select(node: Selector, query: str) -> str:
    """The text a selector points at (all text nodes joined), '' when it finds nothing."""
    if not query:
        return ""
    found = node.xpath(query) if query.startswith(("/", "(", ".")) else node.css(query)
    if not found:
        return ""
    if "::" in query or query.rstrip().endswith(("text()", "@href")) or "/@" in query:
        return " ".join(v.strip() for v in found.getall() if v.strip())
    return str(found[0].get())


def parse(body: bytes, ctx: ParseContext) -> Page:
    options = ctx.selectors
    if options is None:
        raise Unparseable("the generic parser needs an 'item' selector in the source config")
    item_query = options.item
    html = load_html(body, "a list page", options.encoding)
    sel = Selector(text=html, type="html")
    items = sel.xpath(item_query) if item_query.startswith(("/", "(")) else sel.css(item_query)
    page = Page()
    fields = options.fields
    platform = ctx.platform or PLATFORM_DEFAULT
    for node in items:
        link = select(node, fields.get("link", "a::attr(href)"))
        url = urljoin(ctx.url, link) if link else ""
        native = select(node, fields["id"]) if fields.get("id") else url
        if not native:
            page.errors.append("list item without a link or id")
            continue
        stamp = select(node, fields.get("time", ""))
        published = parse_cn_time(_plain(stamp), ctx.reference_time()) if stamp else None
        page.add(
            ctx.mention(
                platform=platform,
                native_id=_short(native),
                kind=MentionKind.ARTICLE,
                url=url,
                title=_plain(select(node, fields.get("title", ""))),
                text=select(node, fields.get("text", ""))
                or _plain(select(node, fields.get("title", ""))),
                published_at=published or ctx.reference_time(),
                author=Author(id=_plain(select(node, fields.get("author", ""))) or platform),
            )
        )
    next_link = select(sel, options.next_page)
    page.more = bool(next_link)
    page.next_token = urljoin(ctx.url, next_link) if next_link else None
    return page


def parse_detail(body: bytes, ctx: ParseContext, listed: Mention) -> Mention:
    """Complete a listed mention from its detail page (full text, time, author)."""
    options = ctx.selectors or Selectors(item="*")
    detail = options.detail
    sel = Selector(text=decode(body, options.encoding), type="html")
    text = select(sel, detail.get("text", ""))
    stamp = _plain(select(sel, detail.get("time", "")))
    author = _plain(select(sel, detail.get("author", "")))
    update: dict[str, Any] = {}
    if text:
        update["text"] = text
    if stamp and (published := parse_cn_time(stamp, ctx.reference_time())):
        update["published_at"] = published
    if author:
        update["author"] = Author(id=author, name=author)
    if title := _plain(select(sel, detail.get("title", ""))):
        update["title"] = title
    return listed.model_copy(update=update)


def _plain(value: str) -> str:
    if "<" in value:
        return " ".join(Selector(text=value).xpath("string()").get("").split())
    return " ".join(value.split())


def _short(native: str) -> str:
    return native if len(native) <= 120 else hashlib.sha1(native.encode()).hexdigest()
