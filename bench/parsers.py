"""Parse throughput per parser over the captured responses: ``python -m bench.parsers``.

For each platform, every capture in ``../shared/captures/<platform>/`` is parsed
repeatedly (parse + normalise, exactly what a crawl does per page) and the figure is
mentions per second and pages per second; brand matching is timed separately with
1,000 brands. Single-process, CPU-bound: compare on the same machine.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from listener.domain import CrawlBrand
from spiders.brandmatch import BrandMatcher
from spiders.normalise import normalise_mention
from spiders.parsers import parsers
from spiders.parsers.base import ParseContext
from tests.captures import CAPTURE_URLS, CAPTURES, PLATFORM_DIRS


def parse_rates(seconds: float) -> list[tuple[str, int, float, float]]:
    rows = []
    for platform, folder in PLATFORM_DIRS.items():
        bodies = [
            (p.read_bytes(), CAPTURE_URLS.get(p.name, ""))
            for p in sorted((CAPTURES / folder).iterdir())
        ]
        parse = parsers()[platform]
        pages = mentions = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            for body, url in bodies:
                page = parse(body, ParseContext(url=url))
                mentions += len([normalise_mention(m) for m in page.mentions])
                pages += 1
        elapsed = time.perf_counter() - started
        rows.append((platform, len(bodies), pages / elapsed, mentions / elapsed))
    return rows


def match_rate(brands: int, texts: int = 20_000) -> float:
    matcher = BrandMatcher(
        [
            CrawlBrand(
                name=f"品牌{i}", aliases=(f"brand{i}", f"牌子{i}号"), exclude=(f"品牌{i}粥",)
            )
            for i in range(brands)
        ]
    )
    sample = [
        f"今天看到品牌{i % brands}的新品，brand{(i * 7) % brands} 也不错，还有别的" * 3
        for i in range(texts)
    ]
    started = time.perf_counter()
    for text in sample:
        matcher.match(text)
    return texts / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per parser")
    args = parser.parse_args()
    if not (Path(CAPTURES) / "MANIFEST.md").is_file():
        raise SystemExit(f"captures not found at {CAPTURES} (set LISTENER_CAPTURES)")
    print(f"{'parser':<10} {'files':>5} {'pages/s':>9} {'mentions/s':>11}")
    for platform, files, pages, mentions in parse_rates(args.seconds):
        print(f"{platform:<10} {files:>5} {pages:>9.1f} {mentions:>11.0f}")
    print(f"brand match, 1000 brands x 3 terms: {match_rate(1000):,.0f} posts/s")


if __name__ == "__main__":
    main()
