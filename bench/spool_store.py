"""Throughput of the spool and the embedded SQLite store: ``make bench``.

Prints mentions per second for spool put, claim+ack, store upsert, plus the
latency of a search and of the detectors' bucket aggregation over the data set.
Figures depend on the machine; compare runs on the same one.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from listener.domain import Author, Engagement, Mention, Score
from listener.spool import Spool
from listener.stores.base import BucketQuery, MentionQuery
from listener.stores.sqlite import SqliteStore

T0 = datetime(2026, 11, 1, tzinfo=UTC)
TEXTS = (
    "小米手机发热严重，客服态度敷衍",
    "蔚来换电站排队一个小时",
    "小米SU7开起来很流畅，推荐",
    "华为新品发布会直播",
    "今天的外卖送得很快",
)
BRANDS = ("小米", "蔚来", "华为")


def make(n: int) -> list[Mention]:
    labels = ("negative", "neutral", "positive")
    return [
        Mention.create(
            platform="weibo",
            native_id=str(i),
            source="bench",
            text=f"{TEXTS[i % 5]} #{i}",
            published_at=T0 + timedelta(seconds=i * 30),
            collected_at=T0,
            author=Author(id=f"u{i % 5000}", followers=i % 100_000),
            engagement=Engagement(reposts=i % 97),
            brands=(BRANDS[i % 3],),
            sentiment=Score(
                label=labels[i % 3],
                negative=0.3,
                positive=0.3,
                model_version="bench",
            ),
        )
        for i in range(n)
    ]


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50_000, help="mentions (default 50,000)")
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    mentions = make(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        spool = Spool(Path(tmp) / "spool.sqlite3")
        t = time.perf_counter()
        for i in range(0, args.n, args.batch):
            spool.put_many(mentions[i : i + args.batch])
        put = time.perf_counter() - t
        t = time.perf_counter()
        while batch := spool.claim(args.batch, timedelta(minutes=1)):
            spool.ack([e.seq for e in batch])
        drain = time.perf_counter() - t
        spool.close()

        store = SqliteStore(Path(tmp) / "store.sqlite3")
        store.setup()
        t = time.perf_counter()
        for i in range(0, args.n, args.batch):
            store.bulk_upsert(mentions[i : i + args.batch])
        upsert = time.perf_counter() - t
        t = time.perf_counter()
        page = store.search(MentionQuery(text="发热严重", brands=("小米",), limit=20))
        search_long = time.perf_counter() - t
        t = time.perf_counter()
        store.search(MentionQuery(text="小米", limit=20))
        search_short = time.perf_counter() - t
        until = T0 + timedelta(seconds=args.n * 30)
        t = time.perf_counter()
        rows = store.count_buckets(
            BucketQuery(since=until - timedelta(hours=24), until=until, bucket=timedelta(minutes=5))
        )
        buckets = time.perf_counter() - t
        store.close()

    print(f"mentions                 {args.n:,} (batch {args.batch})")
    print(f"spool put                {rate(args.n, put)}")
    print(f"spool claim+ack          {rate(args.n, drain)}")
    print(f"sqlite upsert            {rate(args.n, upsert)}")
    print(f"search 4-char + brand    {search_long * 1000:.1f} ms ({page.total:,} hits)")
    print(f"search 2-char            {search_short * 1000:.1f} ms")
    print(f"24h × 5m buckets         {buckets * 1000:.1f} ms ({len(rows)} rows)")


if __name__ == "__main__":
    main()
