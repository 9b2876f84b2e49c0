"""Scrapy settings for one crawl, derived from its spec: politeness on by default."""

from __future__ import annotations

from typing import Any

from spiders.options import WebOptions
from spiders.spec import CrawlSpec

PIPELINES = {
    "spiders.pipelines.normalise.NormalisePipeline": 100,
    "spiders.pipelines.brands.BrandMatchPipeline": 200,
    "spiders.pipelines.dedupe.DedupePipeline": 300,
    "spiders.pipelines.spool.SpoolPipeline": 900,
}
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.backoff.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "spiders.middlewares.identity.RotatingIdentityMiddleware": 500,
    # before everything that could send the request on (and again for every redirect)
    "spiders.middlewares.network.NetworkGuardMiddleware": 50,
}


def crawl_settings(spec: CrawlSpec) -> dict[str, Any]:
    """Scrapy's settings for this crawl; politeness comes from the source's options (a
    local file has none: no delay, one request)."""
    options = spec.options
    web = options if isinstance(options, WebOptions) else None
    delay = web.delay.total_seconds() if web else 0.0
    concurrency = web.concurrency if web else 1
    return {
        "BOT_NAME": "listener",
        "LISTENER_SPEC": spec,
        "ITEM_PIPELINES": PIPELINES,
        "DOWNLOADER_MIDDLEWARES": DOWNLOADER_MIDDLEWARES,
        "LOG_LEVEL": spec.log_level,
        "LOG_FORMAT": f"%(asctime)s level=%(levelname)s crawl={spec.source} "
        f"logger=%(name)s %(message)s",
        "TELNETCONSOLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "COOKIES_ENABLED": False,  # the configured cookie is sent as a header, as given
        "AUTOTHROTTLE_ENABLED": delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(delay, 0.01),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": delay,
        "DOWNLOAD_DELAY_JITTER": 0.5,
        "RETRY_TIMES": web.retries if web else 0,
        "RETRY_HTTP_CODES": [418, 429, 432, 500, 502, 503, 504, 522, 524],
        "DOWNLOAD_MAXSIZE": 20 * 1024 * 1024,
        "DOWNLOAD_WARNSIZE": 5 * 1024 * 1024,
        "DOWNLOAD_TIMEOUT": 30,
    }
