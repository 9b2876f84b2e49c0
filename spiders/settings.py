"""Scrapy settings for one crawl, derived from its spec: politeness on by default."""

from __future__ import annotations

from typing import Any

from listener.domain import CrawlSpec

PIPELINES = {
    "spiders.pipelines.normalise.NormalisePipeline": 100,
    "spiders.pipelines.brands.BrandMatchPipeline": 200,
    "spiders.pipelines.dedupe.DedupePipeline": 300,
    "spiders.pipelines.spool.SpoolPipeline": 900,
}


def crawl_settings(spec: CrawlSpec) -> dict[str, Any]:
    return {
        "BOT_NAME": "listener",
        "LISTENER_SPEC": spec,
        "ITEM_PIPELINES": PIPELINES,
        "LOG_LEVEL": spec.log_level,
        "LOG_FORMAT": f"%(asctime)s level=%(levelname)s crawl={spec.source} "
        f"logger=%(name)s %(message)s",
        "TELNETCONSOLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 1.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_DELAY": 1.0,
        "RETRY_TIMES": 3,
        "RETRY_HTTP_CODES": [418, 429, 432, 500, 502, 503, 504, 522, 524],
        "DOWNLOAD_MAXSIZE": 20 * 1024 * 1024,
        "DOWNLOAD_TIMEOUT": 30,
    }
