"""One config model per collected platform (the ``platform:`` key picks it).

Each names its spider and hands it its options; what a platform needs (a cookie, a
list of forums, feed URLs, selectors) is validated here, before any crawl starts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import Field, HttpUrl, model_validator

from listener.config.types import NonEmptyStr
from listener.sources.web import WebSourceConfig


class WeiboSourceConfig(WebSourceConfig):
    """m.weibo.cn JSON: keyword search, official accounts' timelines, full long texts."""

    platform: Literal["weibo"] = "weibo"
    search: bool = True
    users: list[NonEmptyStr] = []
    """Numeric uids whose timelines to collect (the brand's official accounts)."""
    long_text: bool = True
    """Fetch the full text of posts Weibo truncates (one more request per long post)."""
    track_threads: int = Field(default=20, ge=0, le=200)
    """Re-visit this many recent negative threads (the most engaging, within
    ``track_for``) on every crawl: their current counts (``statuses/show``, which
    the viral-thread detector reads growth from) and their hot comments."""

    def tracked_threads(self) -> tuple[int, timedelta]:
        return self.track_threads, self.track_for

    def spider_options(self) -> dict[str, Any]:
        return {
            **self.web_options(),
            "search": self.search,
            "users": list(self.users),
            "long_text": self.long_text,
        }


class WeiboHtmlSourceConfig(WebSourceConfig):
    """s.weibo.com search pages: needs a logged-in cookie."""

    platform: Literal["weibo_html"] = "weibo_html"

    @model_validator(mode="after")
    def _needs_cookie(self) -> WeiboHtmlSourceConfig:
        if self.cookie is None or not self.cookie.get_secret_value().strip():
            raise ValueError(
                "s.weibo.com shows only a login page without a cookie: set cookie "
                "(e.g. cookie: ${WEIBO_COOKIE})"
            )
        return self

    def platforms(self) -> tuple[str, ...]:
        return ("weibo",)


class ZhihuSourceConfig(WebSourceConfig):
    """Zhihu search API: answers, articles and questions (a cookie makes it far more reliable)."""

    platform: Literal["zhihu"] = "zhihu"


class BilibiliSourceConfig(WebSourceConfig):
    """Bilibili video search, and the dynamics of chosen spaces."""

    platform: Literal["bilibili"] = "bilibili"
    search: bool = True
    spaces: list[NonEmptyStr] = []
    """Numeric mids whose dynamics to collect (the brand's own space)."""

    def spider_options(self) -> dict[str, Any]:
        return {**self.web_options(), "search": self.search, "spaces": list(self.spaces)}


class TiebaSourceConfig(WebSourceConfig):
    """Baidu Tieba: forums' thread lists and keyword search."""

    platform: Literal["tieba"] = "tieba"
    forums: list[NonEmptyStr] = []
    """Forum names (``kw``), e.g. the brand's own 吧."""
    search: bool = True

    def spider_options(self) -> dict[str, Any]:
        return {**self.web_options(), "forums": list(self.forums), "search": self.search}


class RssSourceConfig(WebSourceConfig):
    """RSS/Atom feeds: news sites, blogs and RSSHub routes."""

    platform: Literal["rss"] = "rss"
    feeds: list[HttpUrl] = Field(min_length=1)
    as_platform: str | None = None
    """Record mentions under this platform (default: the RSSHub route's platform, else news)."""

    def platforms(self) -> tuple[str, ...]:
        return (self.as_platform,) if self.as_platform else ()

    def spider_options(self) -> dict[str, Any]:
        options = {**self.web_options(), "feeds": [str(f) for f in self.feeds]}
        if self.as_platform:
            options["platform"] = self.as_platform
        return options


class GenericSourceConfig(WebSourceConfig):
    """Any site described by selectors (CSS, or XPath starting with ``/``)."""

    platform: Literal["generic"] = "generic"
    start_urls: list[HttpUrl] = Field(min_length=1)
    item: NonEmptyStr
    """Selector for one listed post on a list page."""
    fields: dict[Literal["link", "id", "title", "text", "author", "time"], str] = {}
    """Selectors inside an item; ``link`` defaults to ``a::attr(href)``."""
    next_page: str = ""
    """Selector for the next list page's URL (``a.next::attr(href)``)."""
    detail: dict[Literal["title", "text", "author", "time"], str] = {}
    """Selectors on the linked detail page; when set, each new item's page is fetched."""
    as_platform: NonEmptyStr = "web"
    encoding: str | None = None
    """Force a charset when a site declares the wrong one (``gb18030``)."""

    def platforms(self) -> tuple[str, ...]:
        return (self.as_platform,) if self.as_platform else ()

    def spider_options(self) -> dict[str, Any]:
        return {
            **self.web_options(),
            "start_urls": [str(u) for u in self.start_urls],
            "item": self.item,
            "fields": dict(self.fields),
            "next_page": self.next_page,
            "detail": dict(self.detail),
            "platform": self.as_platform,
            "encoding": self.encoding,
        }
