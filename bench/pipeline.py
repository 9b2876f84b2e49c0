"""Pipeline throughput with the shipped model: ``python -m bench.pipeline``.

1. **spool → indexed** (the enrich worker: sentiment with the shipped model, the
   enrichers, bulk upsert) into the embedded SQLite store, and with ``--store
   elasticsearch`` into the node ``scripts/elasticsearch.sh`` starts (or
   ``LISTENER_ES_URL``): mentions per second over ``--mentions`` mentions, in the
   spool batches the daemon uses.
2. **crawl → indexed**: a real Weibo crawl (Scrapy subprocess, pipelines, spool) of the
   demo's simulated platform (``listener.demo.platform``), politeness delays at zero,
   then indexing: mentions per second end to end.

Also printed: this process's CPU seconds per 1,000 mentions and its peak RSS (the
daemon's share of the work: the crawl runs in its own process, reported apart).
The texts are the demo scenario's (10–70 characters, like real posts). Single runs on a
shared 2-core machine drift ±30 %: compare figures from the same run.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from listener.app import App
from listener.config.loader import parse_config
from listener.config.models import Config
from listener.demo import scenario as story
from listener.demo.platform import SimulatedPlatform
from listener.domain import Author, Engagement, Mention
from listener.logs import configure_logging
from listener.stores.base import MentionQuery
from listener.stores.elasticsearch import ElasticsearchStore

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def config(data_dir: Path, store: str, platform_url: str = "http://127.0.0.1:9") -> Config:
    storage = "{type: sqlite}"
    if store == "elasticsearch":
        from tests.elasticsearch_node import elasticsearch_url, unique_prefix

        url, prefix = elasticsearch_url(), unique_prefix()
        storage = f"{{type: elasticsearch, url: '{url}', index_prefix: {prefix}}}"
    text = f"""
daemon: {{data_dir: {data_dir}, log_level: warning}}
storage: {storage}
model: {{type: transformer}}
brands: [{{name: {story.BRAND}, aliases: [星曜科技]}}]
sources:
  - {{name: weibo, platform: weibo, base_url: "{platform_url}/weibo", keywords: [{story.BRAND}],
      delay: 0s, retries: 0, long_text: false, track_threads: 0, backfill_page_limit: 10000}}
notifiers: [{{type: console, name: console, path: {data_dir / "alerts.log"}}}]
"""
    return parse_config(text, "<bench.pipeline>", environ={})


TAILS = ("", "", "哈哈", "真的", "唉", "吧", "呢", "！", "？", "。。。", "有同感吗", "求回复")


def texts(rng: random.Random) -> str:
    """A post of the demo's kinds, made unique the way real posts are (no two alike: the
    scorer must not be helped by repeats)."""
    pick = rng.random()
    if pick < 0.4:
        text = rng.choice(story.CALM).format(p=rng.choice(story.PRODUCTS))
    elif pick < 0.6:
        text = rng.choice(story.CAMPAIGN).format(p=rng.choice(story.PRODUCTS))
    elif pick < 0.9:
        text = story.complaint(rng)
    else:
        text = rng.choice(story.REPOSTS)
    return f"{text}{rng.choice(TAILS)} @{rng.choice(story.WORDS)}{rng.randint(1, 99_999)}"


def mentions(n: int, seed: int = 1) -> list[Mention]:
    rng = random.Random(seed)
    return [
        Mention.create(
            platform="weibo",
            native_id=str(i),
            source="bench",
            text=texts(rng),
            published_at=T0 + timedelta(seconds=i),
            collected_at=T0 + timedelta(seconds=i + 60),
            author=Author(
                id=f"u{i % 5000}", name=f"用户{i % 5000}", followers=rng.randint(0, 10**5)
            ),
            engagement=Engagement(reposts=rng.randint(0, 50)),
            brands=(story.BRAND,),
        )
        for i in range(n)
    ]


def searchable(app: App) -> int:
    """Mentions a search finds (after a refresh: Elasticsearch's searches see what was
    indexed within a second, not at once)."""
    app.store.refresh()
    return app.store.search(MentionQuery(limit=0)).total


def drop(app: App) -> None:
    """Close the app; a benchmark's Elasticsearch indices go with it."""
    if isinstance(app.store, ElasticsearchStore):
        app.store.destroy()
    app.close()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def spool_to_indexed(store: str, n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = App.build(config(Path(tmp), store))
        try:
            app.indexing.index()  # the model and the store are loaded before the clock starts
            batch = mentions(n)
            app.spool.put_many(batch)
            cpu, started = _cpu(), time.perf_counter()
            indexed = app.indexing.index()
            seconds, cpu = time.perf_counter() - started, _cpu() - cpu
            found = searchable(app)
        finally:
            drop(app)
    assert indexed == n == found, (indexed, n, found)
    print(
        f"spool → indexed ({store}): {n:,} mentions in {seconds:.1f} s = {n / seconds:,.0f}/s; "
        f"CPU {cpu / n * 1000:.2f} s per 1,000"
    )


def crawl_to_indexed(store: str, posts: int) -> None:
    scenario = story.build(T0 + timedelta(days=3))
    rng = random.Random(2)
    end = scenario.end
    many = tuple(
        story.Post(
            "weibo",
            str(story.weibo_mid(end - timedelta(seconds=i * 7), i)),
            texts(rng),
            end - timedelta(seconds=i * 7),
            story.Author(id=str(5_100_000_000 + i), name=f"用户{i}", followers=100),
            "calm",
        )
        for i in range(posts)
    )
    big = story.Scenario(scenario.start, scenario.onset, end, many, many[-1])
    with tempfile.TemporaryDirectory() as tmp, SimulatedPlatform(big) as platform:
        platform.clock = end
        app = App.build(config(Path(tmp), store, platform.url))
        try:
            app.indexing.index()
            source = app.config.sources[0]
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            report = app.collection.crawl(source, backfill_since=end - timedelta(days=30))
            crawled = time.perf_counter() - started
            indexed = app.indexing.index()
            seconds = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            found = searchable(app)
        finally:
            drop(app)
    assert report.health.healthy and indexed == posts == found, (report.health, indexed, found)
    crawl_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    print(
        f"crawl → indexed ({store}): {posts:,} posts ({posts // 20:,} pages) in {seconds:.1f} s "
        f"= {posts / seconds:,.0f}/s (the crawl {crawled:.1f} s, its process "
        f"{crawl_cpu:.1f} CPU s, peak RSS {after.ru_maxrss / 1024:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("sqlite", "elasticsearch"), default="sqlite")
    parser.add_argument("--mentions", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=4_000, help="posts the crawl collects")
    args = parser.parse_args()
    configure_logging("warning")
    spool_to_indexed(args.store, args.mentions)
    crawl_to_indexed(args.store, args.posts)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (model, store, worker): {rss:,.0f} MB [target ≤ 1,536]")


if __name__ == "__main__":
    main()
