"""Run one crawl: ``python -m spiders.crawl < spec.json``.

Reads a CrawlSpec (JSON) on standard input, crawls with Scrapy, writes the
mentions to the spool, and prints one line ``LISTENER-RESULT {json}`` (a
CrawlResult) on standard output. Logs go to standard error. Exit status 0 when
the crawl ran (even if the source turned out unhealthy), 2 when the spec is bad.
"""

from __future__ import annotations

import sys

from pydantic import ValidationError
from scrapy.crawler import CrawlerProcess

from listener.domain import CrawlResult
from listener.plugin import PluginError
from spiders.registry import SPIDERS
from spiders.settings import crawl_settings
from spiders.spec import CrawlSpec

RESULT_PREFIX = "LISTENER-RESULT "


def run(spec: CrawlSpec) -> CrawlResult:
    process = CrawlerProcess(crawl_settings(spec))
    crawler = process.create_crawler(SPIDERS.resolve(spec.spider))
    process.crawl(crawler, spec=spec)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = stats.get("listener/unhealthy", "")
    finish = stats.get("finish_reason", "")
    interrupted = finish == "shutdown"  # SIGTERM: the daemon is stopping, not the source
    if not reason and finish not in ("finished", "unhealthy", "shutdown"):
        reason = f"crawl stopped early: {finish}"
    return CrawlResult(
        source=spec.source,
        items_spooled=int(stats.get("listener/spooled", 0)),
        items_seen=int(stats.get("listener/parsed", 0)),
        dropped_no_brand=int(stats.get("listener/dropped/no_brand", 0)),
        dropped_duplicate=int(stats.get("listener/dropped/duplicate", 0)),
        errors=int(stats.get("log_count/ERROR", 0)),
        cursor=stats.get("listener/cursor", spec.cursor),
        healthy=not reason,
        reason=reason,
        interrupted=interrupted,
    )


def main() -> int:
    try:
        spec = CrawlSpec.from_json(sys.stdin.buffer.read())
    except (ValidationError, PluginError) as exc:
        print(f"spiders.crawl: bad crawl spec: {exc}", file=sys.stderr)
        return 2
    result = run(spec)
    sys.stdout.write(RESULT_PREFIX + result.model_dump_json() + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
