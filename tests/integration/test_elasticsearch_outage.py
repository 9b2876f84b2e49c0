"""Elasticsearch down, or refusing some documents: nothing collected is lost."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from listener.config.models import SpoolConfig
from listener.enrich_worker import EnrichWorker
from listener.enrichers.crisis_terms import CrisisTermsEnricher, CrisisTermsEnricherConfig
from listener.enrichers.influence import InfluenceConfig, InfluenceEnricher
from listener.metrics import Metrics
from listener.scorers.lexicon import LexiconScorer
from listener.spool import Spool
from listener.stores.base import MentionQuery, StoreUnavailable
from listener.stores.elasticsearch import ElasticsearchStore, ElasticsearchStoreConfig
from tests.contract.conftest import drop
from tests.elasticsearch_node import elasticsearch_url, unique_prefix
from tests.factories import T0, mention

pytestmark = pytest.mark.slow
CONFIG = SpoolConfig(batch_size=10, retry_delay=timedelta(milliseconds=1))

ENRICHERS = (
    InfluenceEnricher(InfluenceConfig()),
    CrisisTermsEnricher(CrisisTermsEnricherConfig(), {"": ("投诉",)}),
)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def prefix() -> Iterator[str]:
    name = unique_prefix()
    yield name
    cleanup = ElasticsearchStore(
        ElasticsearchStoreConfig(url=elasticsearch_url(), index_prefix=name)
    )
    drop(cleanup)
    cleanup.close()


def worker(spool: Spool, store: ElasticsearchStore) -> EnrichWorker:
    return EnrichWorker(spool, store, LexiconScorer(), CONFIG, ENRICHERS, Metrics())


def test_an_outage_keeps_everything_in_the_spool_until_the_node_answers(
    tmp_path: Path, prefix: str
) -> None:
    down = ElasticsearchStore(
        ElasticsearchStoreConfig(
            url=f"http://127.0.0.1:{closed_port()}", index_prefix=prefix, timeout_s=2
        )
    )
    up = ElasticsearchStore(ElasticsearchStoreConfig(url=elasticsearch_url(), index_prefix=prefix))
    up.setup()
    with Spool(tmp_path / "spool.sqlite3") as spool:
        spool.put_many([mention(str(i), minutes=i) for i in range(25)])
        during = worker(spool, down)
        assert during.drain() == 0 and not during.store_healthy
        assert spool.depth().total == 25
        time.sleep(0.01)  # past the retry delay
        after = worker(spool, up)
        assert after.drain() == 25 and after.store_healthy
        assert spool.depth().total == 0
    up.refresh()
    assert up.search(MentionQuery(limit=1)).total == 25
    down.close()
    up.close()


def test_a_refused_document_stays_in_the_spool_with_the_reason(tmp_path: Path, prefix: str) -> None:
    store = ElasticsearchStore(
        ElasticsearchStoreConfig(url=elasticsearch_url(), index_prefix=prefix)
    )
    store.setup()
    # the month of T0 exists and refuses writes; another month is fine
    blocked = f"{prefix}-mentions-{T0:%Y.%m}"
    store.client.indices.create(index=blocked)
    store.client.indices.put_settings(index=blocked, settings={"index.blocks.write": True})
    try:
        with Spool(tmp_path / "spool.sqlite3") as spool:
            spool.put_many([mention("old", at=T0), mention("new", at=T0 + timedelta(days=40))])
            worker(spool, store).run_once()
            depth = spool.depth()
            assert depth.total == 1 and depth.dead == 0  # kept for retry, not dropped
        store.refresh()
        assert store.get("weibo:new") is not None and store.get("weibo:old") is None
    finally:
        store.client.indices.put_settings(index=blocked, settings={"index.blocks.write": False})
        store.close()


def test_a_red_cluster_is_reported_unavailable(prefix: str) -> None:
    store = ElasticsearchStore(
        ElasticsearchStoreConfig(url=elasticsearch_url(), index_prefix=prefix)
    )
    store.setup()
    store.ping()
    broken = f"{prefix}-state-unplaceable"
    store.client.indices.create(
        index=broken,
        settings={
            "index.routing.allocation.require._name": "no-such-node",
            "number_of_replicas": 0,
        },
        wait_for_active_shards="0",
    )
    try:
        with pytest.raises(StoreUnavailable, match="is red"):
            store.ping()
    finally:
        store.client.indices.delete(index=broken)
        store.close()
