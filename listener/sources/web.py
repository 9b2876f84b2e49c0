"""What every source that fetches from the web shares: politeness, identity, revisits.

Defaults are polite (one request at a time per site, a 2 s delay that AutoThrottle
stretches when the site slows down, retries with exponential backoff on
418/429/432/5xx) because a banned collector is worse than a slow one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field, SecretStr

from listener.config.types import Duration, NonEmptyStr, PositiveDuration
from listener.sources.base import SourceConfig

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


class WebSourceConfig(SourceConfig):
    """Each platform's config names its spider and parser by its ``platform`` key."""

    platform: str
    keywords: list[NonEmptyStr] = []
    """What to search for; empty: every brand's name and aliases."""
    base_url: str | None = None
    """Override the platform's address (a mirror, a proxy gateway, a test server)."""
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
    backfill_page_limit: int = Field(default=50, ge=1)
    """Page limit for ``listener crawl NAME --backfill SINCE``."""

    @property
    def spider(self) -> str:
        return self.platform

    def platforms(self) -> tuple[str, ...]:
        return (self.platform,)

    def spider_options(self) -> dict[str, Any]:
        return self.web_options()

    def web_options(self) -> dict[str, Any]:
        return {
            "keywords": list(self.keywords),
            "base_url": self.base_url,
            "cookie": self.cookie.get_secret_value() if self.cookie else None,
            "user_agents": list(self.user_agents),
            "proxies": list(self.proxies),
            "delay_s": self.delay.total_seconds(),
            "concurrency": self.concurrency,
            "retries": self.retries,
            "backoff_s": self.backoff.total_seconds(),
            "track_for_s": self.track_for.total_seconds(),
        }
