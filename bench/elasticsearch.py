"""Elasticsearch store throughput on a real node: ``python -m bench.elasticsearch``.

1. Bulk indexing (``bulk_upsert``: streaming bulk, one document per mention) at
   several batch sizes — mentions per second.
2. Loads ``--mentions`` (default 1,000,000) over 30 days and 100 brands, then times
   the detectors' aggregation (``count_buckets``: 7 days × brand × sentiment ×
   platform in 5-minute buckets, one composite aggregation, paged) and a search.

The node is the one ``scripts/elasticsearch.sh`` starts (512 MB heap, one shard per
monthly index), or ``LISTENER_ES_URL``. Single runs on a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from listener.domain import Author, Engagement, Mention, Score
from listener.stores.base import BucketQuery, MentionQuery
from listener.stores.elasticsearch import ElasticsearchStore, ElasticsearchStoreConfig
from tests.contract.conftest import drop
from tests.elasticsearch_node import elasticsearch_url, unique_prefix

NOW = datetime(2026, 11, 20, tzinfo=UTC)
TEXTS = ("手机发热严重，客服态度敷衍", "换电站排队一个小时", "开起来很流畅，推荐", "新品发布会直播")
LABELS = ("negative", "neutral", "positive")
PLATFORMS = ("weibo", "zhihu", "bilibili", "tieba")


def make(start: int, n: int, span: timedelta, brands: int, total: int = 0) -> list[Mention]:
    """Mentions ``start`` … ``start + n`` of ``total`` spread evenly over ``span``."""
    step = span / max(total or n, 1)
    out = []
    for i in range(start, start + n):
        brand = f"品牌{i % brands:03d}"
        out.append(
            Mention.create(
                platform=PLATFORMS[i % 4],
                native_id=str(i),
                source="bench",
                text=f"{brand}{TEXTS[i % 4]} #{i}",
                published_at=NOW - span + step * (i if total else i - start),
                collected_at=NOW,
                author=Author(id=f"u{i % 50_000}", followers=i % 100_000),
                engagement=Engagement(reposts=i % 97, comments=i % 13),
                brands=(brand,),
                sentiment=Score(
                    label=LABELS[i % 3], negative=0.3, positive=0.3, model_version="bench"
                ),
            )
        )
    return out


def store() -> ElasticsearchStore:
    s = ElasticsearchStore(
        ElasticsearchStoreConfig(url=elasticsearch_url(), index_prefix=unique_prefix())
    )
    s.setup()
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--sweep", type=int, default=20_000, help="mentions per batch size")
    args = parser.parse_args()

    print("bulk indexing (mentions/s):")
    for size in (100, 500, 2000):
        s = store()
        try:
            data = make(0, args.sweep, timedelta(days=3), 100)
            started = time.perf_counter()
            for i in range(0, len(data), size):
                report = s.bulk_upsert(data[i : i + size])
                assert not report.failed, report.failed
            elapsed = time.perf_counter() - started
            print(f"  batch {size:5}: {args.sweep / elapsed:8,.0f}/s")
        finally:
            drop(s)
            s.close()

    s = store()
    try:
        started = time.perf_counter()
        chunk = 5000
        for i in range(0, args.mentions, chunk):
            batch = make(i, min(chunk, args.mentions - i), timedelta(days=30), 100, args.mentions)
            s.bulk_upsert(batch)
            if (i // chunk) % 40 == 0:
                print(f"  loaded {i + chunk:,}/{args.mentions:,}", flush=True)
        s.refresh()
        load = time.perf_counter() - started
        print(f"loaded {args.mentions:,} mentions in {load:.0f}s ({args.mentions / load:,.0f}/s)")
        query = BucketQuery(
            since=NOW - timedelta(days=7), until=NOW, bucket=timedelta(minutes=5), by_platform=True
        )
        for attempt in ("cold", "warm"):
            started = time.perf_counter()
            rows = s.count_buckets(query)
            print(
                f"count_buckets 7 d × 100 brands × sentiment × platform ({attempt}): "
                f"{time.perf_counter() - started:.2f}s, {len(rows):,} rows"
            )
        recent = BucketQuery(
            since=NOW - timedelta(hours=1), until=NOW, bucket=timedelta(minutes=5), by_platform=True
        )
        started = time.perf_counter()
        rows = s.count_buckets(recent)
        print(
            f"count_buckets last hour (what each detection pass re-reads): "
            f"{time.perf_counter() - started:.3f}s, {len(rows):,} rows"
        )
        stats = s.client.indices.stats(index=f"{s.prefix}-mentions-*", metric="store")
        size = stats["_all"]["primaries"]["store"]["size_in_bytes"]
        print(f"index size: {size / 2**20:,.0f} MiB, {size / args.mentions:,.0f} bytes/mention")
        started = time.perf_counter()
        page = s.search(MentionQuery(text="发热", brands=("品牌004",), order="engagement"))
        print(
            f"search (text + brand, by engagement): {time.perf_counter() - started:.3f}s, "
            f"{page.total:,} hits"
        )
    finally:
        drop(s)
        s.close()


if __name__ == "__main__":
    main()
