"""The daemon on a real Elasticsearch node that is stopped and restarted mid-run:
collection goes on into the spool, the daemon says the store is down, and every
mention is indexed once the node is back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from listener.domain import utcnow
from listener.stores.base import MentionQuery, StoreError
from listener.stores.elasticsearch import ElasticsearchStore, ElasticsearchStoreConfig
from tests.conftest import REPO
from tests.elasticsearch_node import unique_prefix
from tests.factories import write_jsonl
from tests.integration.daemon_harness import RunningDaemon
from tests.ports import free_port

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


def node(command: str, port: int) -> None:
    """This test's own node (its own port and home), so stopping it disturbs nobody."""
    env = {**os.environ, "ES_PORT": str(port), "ES_HOME": str(REPO / f".es-test-{port}")}
    done = subprocess.run(
        [SCRIPT, command], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_elasticsearch_stopped_and_restarted_during_a_run(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    node("start", port)
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
        node("stop", port)
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
        daemon.wait_for(
            lambda: daemon.metric("listener_store_up") == 0,
            timeout=30,
            what="the store reported down in the metrics",
        )
        health = json.loads(daemon.get("/healthz")[1])
        assert health["store"] == "unavailable" and health["sources"]["feed"]["healthy"]
        node("start", port)

        def stored() -> int:
            try:
                store.refresh()
                return store.search(MentionQuery(limit=1)).total
            except StoreError:
                return -1  # the node is still starting

        # The store's own count, not the indexed metric: the jsonl source re-collects its
        # newest line every crawl, so the metric also counts re-indexing of one post.
        # What the outage held back goes as soon as the node is back, not after the
        # backoff the failed retries had reached (minutes, before that was fixed).
        daemon.wait_for(lambda: stored() == 12, timeout=60, what="all 12 in the store")
        daemon.wait_for(lambda: daemon.get("/healthz")[0] == 200, timeout=60, what="healthy again")
        assert daemon.stop()[0] == 0
    finally:
        daemon.kill()
        store.close()
        node("stop", port)
        shutil.rmtree(REPO / f".es-test-{port}", ignore_errors=True)
