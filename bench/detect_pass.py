"""How long one detection pass takes over many brands: ``python -m bench.detect_pass``.

Fills an SQLite store with ``--days`` of mentions for ``--brands`` brands (quiet
to loud), then times the first pass (it builds the bucket cache with one
aggregation over the whole history) and the following passes (new mentions
arrive between them; only new buckets are fetched), per detector. The daemon
runs a pass every minute: a pass must finish well within that.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from listener.config.models import Config
from listener.detectors.base import DetectContext
from listener.domain import Author, Engagement, Mention, Score, SentimentLabel
from listener.enrichers.crisis_terms import CrisisTermsEnricher, CrisisTermsEnricherConfig
from listener.enrichers.influence import InfluenceConfig, InfluenceEnricher
from listener.enrichers.pipeline import enrich
from listener.plugins import build_detectors
from listener.stats.series import BucketSeries
from listener.stores.base import Store
from listener.stores.elasticsearch import ElasticsearchStore, ElasticsearchStoreConfig
from listener.stores.sqlite import SqliteStore

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LABELS: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")
ENRICHERS = (
    InfluenceEnricher(InfluenceConfig()),
    CrisisTermsEnricher(CrisisTermsEnricherConfig(), {"": ("投诉", "召回")}),
)


def batch(
    rng: np.random.Generator,
    brands: list[str],
    rates: np.ndarray,
    start: datetime,
    buckets: int,
    serial: list[int],
) -> list[Mention]:
    out = []
    counts = rng.poisson(np.outer(rates, np.ones(buckets)))
    for b, brand in enumerate(brands):
        for k in range(buckets):
            for _ in range(int(counts[b, k])):
                serial[0] += 1
                at = start + timedelta(minutes=5 * k + float(rng.uniform(0, 5)))
                label = LABELS[int(rng.choice(3, p=(0.12, 0.58, 0.30)))]
                m = Mention.create(
                    platform="weibo",
                    native_id=str(serial[0]),
                    source="bench",
                    text=f"{brand} 的第 {serial[0]} 条提及，内容各不相同 {rng.integers(10**6)}",
                    published_at=at,
                    collected_at=at + timedelta(minutes=2),
                    author=Author(
                        id=f"u{rng.integers(10**6)}", followers=int(rng.lognormal(5, 1.6))
                    ),
                    engagement=Engagement(reposts=int(rng.integers(0, 20))),
                    brands=(brand,),
                    matched_terms={brand: (brand,)},
                    sentiment=Score(label=label, negative=0.3, positive=0.3, model_version="bench"),
                )
                out.append(enrich(m, ENRICHERS))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brands", type=int, default=1000)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument(
        "--store",
        choices=("sqlite", "elasticsearch"),
        default="sqlite",
        help="elasticsearch: a real node (scripts/elasticsearch.sh, or LISTENER_ES_URL)",
    )
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    brands = [f"品牌{i:04d}" for i in range(args.brands)]
    rates = rng.lognormal(-1.5, 1.2, size=args.brands)  # mentions per 5 minutes
    config = Config.model_validate({"brands": [{"name": b} for b in brands]})
    detectors = build_detectors(config)
    serial = [0]
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(args.store, Path(folder))
        store.setup()
        buckets = args.days * 288
        started = time.perf_counter()
        total = 0
        for day in range(args.days):
            chunk = batch(rng, brands, rates, NOW - timedelta(days=args.days - day), 288, serial)
            for i in range(0, len(chunk), 5000):
                store.bulk_upsert(chunk[i : i + 5000])
            total += len(chunk)
        store.refresh()
        print(
            f"{args.brands} brands, {total:,} mentions over {args.days} days "
            f"(loaded in {time.perf_counter() - started:.0f}s), {buckets} buckets each"
        )
        series = BucketSeries(config.detection.bucket, config.detection.history)
        for n in range(args.passes + 1):
            now = NOW + timedelta(minutes=n)
            if n:
                store.bulk_upsert(
                    batch(rng, brands, rates / 5, now - timedelta(minutes=1), 1, serial)
                )
                store.refresh()
            timings: dict[str, float] = defaultdict(float)
            t = time.perf_counter()
            context = DetectContext.prepare(store, now, tuple(brands), series)
            timings["aggregation"] = time.perf_counter() - t
            bursts = []
            for detector in [d for d in detectors if d.finds_bursts]:  # the pass's first step
                t = time.perf_counter()
                bursts.append(detector.find_bursts(context))
                timings[detector.name] = time.perf_counter() - t
            counted = context.discounting(bursts)
            for detector in [d for d in detectors if not d.finds_bursts]:
                t = time.perf_counter()
                detector.detect(counted)
                timings[detector.name] = time.perf_counter() - t
            label = "first pass (cold cache)" if n == 0 else f"pass {n}"
            detail = ", ".join(f"{k} {v:.2f}s" for k, v in timings.items())
            print(f"{label:24} {sum(timings.values()):6.2f}s  ({detail})")
        drop_store(store)
        store.close()


def open_store(kind: str, folder: Path) -> Store:
    if kind == "sqlite":
        return SqliteStore(folder / "store.sqlite3")
    from tests.elasticsearch_node import elasticsearch_url, unique_prefix

    config = ElasticsearchStoreConfig(url=elasticsearch_url(), index_prefix=unique_prefix())
    return ElasticsearchStore(config)


def drop_store(store: Store) -> None:
    if isinstance(store, ElasticsearchStore):
        from tests.contract.conftest import drop

        drop(store)


if __name__ == "__main__":
    main()
