"""What every source's options share: one pydantic model per platform, used on both sides
of the crawl subprocess. The daemon validates them as the config's ``sources:`` entries;
the crawl reads the same model back from its CrawlSpec, as attributes. Defaults live here
and in each platform's model, nowhere else.

Web sources are polite by default (one request at a time per site, a 2 s delay that
AutoThrottle stretches when the site slows down, retries with exponential backoff on
418/429/432/5xx) because a banned collector is worse than a slow one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field, SecretStr, field_serializer
from pydantic_core.core_schema import SerializationInfo

from listener.config.types import Duration, Name, NonEmptyStr, PositiveDuration, Section

REVEAL = "reveal_secrets"
"""Serialisation context key: the crawl's own spec carries the cookie; nothing else does."""

DEFAULT_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36",
)


class SourceOptions(Section):
    """A source: which platform (``platform:`` names the spider), when, how long, how far."""

    platform: str
    name: Name
    """Unique; used in logs, metrics, ``listener crawl NAME`` and the mention's ``source``."""
    enabled: bool = True
    interval: PositiveDuration = timedelta(minutes=10)
    timeout: PositiveDuration = timedelta(minutes=10)
    """A crawl running longer is killed; what it already spooled is kept."""
    page_limit: int = Field(default=5, ge=1)
    """Stop paging after this many pages even when no already-seen post was reached."""
    backfill_page_limit: int = Field(default=50, ge=1)
    """Page limit for ``listener crawl NAME --backfill SINCE``."""

    def platforms(self) -> tuple[str, ...]:
        """The platforms this source collects, when known: while it is down their counts
        are gaps, not zeros. Empty when it cannot be known (a feed of any platform)."""
        return (self.platform,)

    def tracked_threads(self) -> tuple[int, timedelta]:
        """How many recent negative threads this source re-visits per crawl, and how far
        back "recent" reaches (0: none)."""
        return 0, timedelta(0)


class WebOptions(SourceOptions):
    """What every source that fetches from the web shares: politeness, identity, revisits."""

    base_url: str
    """The platform's address; override it for a mirror, a proxy gateway, a test server."""
    keywords: list[NonEmptyStr] = []
    """What to search for; empty: every brand's name and aliases."""
    cookie: SecretStr | None = None
    """A logged-in cookie header, usually ``${WEIBO_COOKIE}``; never logged."""
    user_agents: list[NonEmptyStr] = Field(default_factory=lambda: list(DEFAULT_USER_AGENTS))
    """Rotated per request."""
    proxies: list[NonEmptyStr] = []
    """``http://user:pass@host:port``; rotated per request when given."""
    delay: Duration = timedelta(seconds=2)
    """Minimum pause between requests to one site (AutoThrottle may stretch it)."""
    concurrency: int = Field(default=1, ge=1, le=16)
    """Requests in flight per site."""
    retries: int = Field(default=3, ge=0, le=10)
    backoff: PositiveDuration = timedelta(seconds=5)
    """First retry waits this long, each next one twice as long (or Retry-After)."""
    track_for: Duration = timedelta(hours=24)
    """Posts this recent are re-collected when seen again, so engagement growth
    (the viral-thread detector's input) is measured on every crawl."""

    @field_serializer("cookie", when_used="json")
    def _cookie(self, cookie: SecretStr | None, info: SerializationInfo) -> Any:
        if cookie is None:
            return None
        context = info.context or {}
        return cookie.get_secret_value() if context.get(REVEAL) else str(cookie)

    @property
    def base(self) -> str:
        """``base_url`` without a trailing slash, to append paths to."""
        return self.base_url.rstrip("/")

    def configured_urls(self) -> list[str]:
        """The addresses the configuration names: the only ones a crawl may reach on a
        private network, and the only ones its cookie is sent to."""
        return [self.base_url] if self.base_url else []

    def headers(self) -> dict[str, str]:
        """What every request to the platform carries (the configured cookie)."""
        return {"Cookie": self.cookie.get_secret_value()} if self.cookie else {}
