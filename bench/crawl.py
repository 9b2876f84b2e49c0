"""A real crawl against a local stand-in server: ``python -m bench.crawl``.

The server answers Weibo search pages (a capture with fresh ids per page) with no
delay; the crawl runs exactly as the daemon runs it (its own Scrapy subprocess,
pipelines, spool) with politeness delays set to zero, so the figure is the
collector's own cost: pages/s and mentions spooled per second, end to end,
including the subprocess start.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from listener.config.loader import load_config
from listener.crawling import CrawlRunner, crawl_spec
from listener.demo.platform_server import Answer, Asked, PlatformServer
from tests.captures import CAPTURES


def page_body(template: dict[str, object], page: int) -> bytes:
    """The capture with ids shifted per page, so every page holds new posts."""
    text = json.dumps(template, ensure_ascii=False)
    for offset, digit in enumerate("0123456789"):
        text = text.replace(f'"42542{digit}', f'"{42542 + (page * 10 + offset) % 90000}{digit}')
    return text.encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    template = json.loads((CAPTURES / "weibo/m-search-shijiebei-2018-page2.json").read_bytes())

    def route(asked: Asked) -> Answer:
        page = int(asked.query.get("page", "1"))
        return Answer(page_body(template, page) if page <= args.pages else b'{"ok":0}')

    with tempfile.TemporaryDirectory() as tmp, PlatformServer(route) as server:
        config_path = Path(tmp) / "listener.yml"
        config_path.write_text(
            f"daemon: {{data_dir: {tmp}}}\nbrands:\n  - name: 世界杯\n    aliases: [vivo]\n"
            f"sources:\n  - name: bench\n    platform: weibo\n    base_url: {server.url}\n"
            f"    keywords: [世界杯]\n    page_limit: {args.pages}\n    delay: 0s\n"
            f"    concurrency: 4\n    long_text: false\n",
            encoding="utf-8",
        )
        config = load_config(config_path)
        started = time.perf_counter()
        outcome = CrawlRunner().run(crawl_spec(config, config.sources[0], None), timeout=600)
        elapsed = time.perf_counter() - started
    result = outcome.result
    assert result is not None, outcome.failure
    print(
        f"pages fetched: {len(server.asked)}; mentions parsed: {result.items_seen}; "
        f"spooled: {result.items_spooled}"
    )
    print(
        f"crawl wall time: {elapsed:.1f} s -> {len(server.asked) / elapsed:.1f} pages/s, "
        f"{result.items_spooled / elapsed:.0f} mentions spooled/s (subprocess start included)"
    )


if __name__ == "__main__":
    main()
