"""The daemon on a real Elasticsearch node that is stopped and restarted mid-run:
collection goes on into the spool, the daemon says the store is down, and every
mention is indexed once the node is back."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from listener.domain import utcnow
from listener.stores.base import MentionQuery
from listener.stores.elasticsearch import ElasticsearchStore, ElasticsearchStoreConfig
from tests.conftest import REPO
from tests.contract.conftest import drop
from tests.elasticsearch_node import elasticsearch_url, unique_prefix
from tests.factories import write_jsonl
from tests.integration.daemon_harness import RunningDaemon

pytestmark = pytest.mark.slow
SCRIPT = str(REPO / "scripts" / "elasticsearch.sh")


def posts(start: int, n: int) -> list[dict[str, object]]:
    now = utcnow()
    return [
        {
            "native_id": f"p{i}",
            "text": f"小米第{i}条",
            "published_at": (now - timedelta(minutes=60 - i)).isoformat(),
            "author": {"id": f"a{i}"},
        }
        for i in range(start, start + n)
    ]


def test_elasticsearch_stopped_and_restarted_during_a_run(tmp_path: Path) -> None:
    url = elasticsearch_url()
    prefix = unique_prefix()
    feed = write_jsonl(tmp_path / "posts.jsonl", posts(0, 5))
    config = tmp_path / "listener.yml"
    config.write_text(
        f"""
daemon: {{data_dir: {tmp_path / "data"}, http: {{port: 0}}, detect_interval: 1h}}
spool: {{poll_interval: 200ms, retry_delay: 1s}}
storage: {{type: elasticsearch, url: "{url}", index_prefix: {prefix}, timeout_s: 3}}
brands: [{{name: 小米}}]
sources:
  - {{name: feed, platform: jsonl, path: {feed}, interval: 2s}}
""",
        encoding="utf-8",
    )
    store = ElasticsearchStore(ElasticsearchStoreConfig(url=url, index_prefix=prefix))
    daemon = RunningDaemon(config)
    try:
        daemon.wait_ready()
        daemon.wait_for(
            lambda: daemon.metric("listener_mentions_indexed_total") >= 5,
            timeout=60,
            what="the first five indexed",
        )
        subprocess.run([SCRIPT, "stop"], check=True, capture_output=True, timeout=120)
        write_jsonl(feed, posts(0, 12))  # seven more arrive while the node is down
        daemon.wait_for(
            lambda: (
                daemon.get("/healthz")[0] == 503
                and json.loads(daemon.get("/healthz")[1])["spool"]["pending"]
                + json.loads(daemon.get("/healthz")[1])["spool"]["delayed"]
                >= 7
            ),
            timeout=90,
            what="the outage reported, the new posts waiting in the spool",
        )
        assert daemon.metric("listener_store_up") == 0
        subprocess.run([SCRIPT, "start"], check=True, capture_output=True, timeout=300)
        daemon.wait_for(
            lambda: daemon.metric("listener_mentions_indexed_total") >= 12,
            timeout=120,
            what="everything indexed after the node came back",
        )
        daemon.wait_for(lambda: daemon.get("/healthz")[0] == 200, timeout=60, what="healthy again")
        store.refresh()
        assert store.search(MentionQuery(limit=1)).total == 12
        assert daemon.stop()[0] == 0
    finally:
        daemon.kill()
        subprocess.run([SCRIPT, "start"], capture_output=True, timeout=300, check=False)
        drop(store)
        store.close()
