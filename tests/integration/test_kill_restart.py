"""The daemon killed with SIGKILL at random moments while it collects, indexes and
announces, and restarted each time (issue 18: keep the crash figures as tests): in the
end every post is in the store exactly once, and the crisis was announced exactly once."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listener.stores.base import MentionQuery
from listener.stores.sqlite import SqliteStore
from tests.factories import write_jsonl
from tests.integration.daemon_harness import RunningDaemon
from tests.integration.test_daemon import COMPLAINTS, daemon_config

pytestmark = pytest.mark.slow
POSTS = 5_000
KILLS = 6


def posts(now: datetime) -> list[dict[str, object]]:
    """A burst of complaints (an incident to announce) among many ordinary posts."""
    rows: list[dict[str, object]] = []
    for i in range(POSTS):
        text = COMPLAINTS[i % len(COMPLAINTS)] if i < 40 else f"小米 日常第{i}条"
        minutes = 5 if i < 40 else 30 + i % 300
        rows.append(
            {
                "native_id": f"k{i}",
                "text": text,
                "published_at": (now - timedelta(minutes=minutes, seconds=i % 60)).isoformat(),
                "author": {"id": f"a{i % 700}", "followers": 50 + i},
            }
        )
    return rows


def stored_ids(path: Path) -> list[str]:
    store = SqliteStore(path)
    try:
        return [m.native_id for m in store.search(MentionQuery(limit=POSTS * 2)).mentions]
    finally:
        store.close()


def test_random_kills_lose_nothing_and_announce_once(tmp_path: Path) -> None:
    rng = random.Random(20261203)
    source = write_jsonl(tmp_path / "posts.jsonl", posts(datetime.now(UTC)))
    config = daemon_config(
        tmp_path, f"  - {{name: file, platform: jsonl, path: {source}, interval: 2s}}"
    )
    for _ in range(KILLS):
        daemon = RunningDaemon(config)
        try:
            daemon.wait_ready()
            time.sleep(rng.uniform(0.3, 2.5))  # crawling, indexing or announcing
        finally:
            daemon.kill()
    daemon = RunningDaemon(config)
    try:
        daemon.wait_ready()
        daemon.wait_for(
            lambda: (
                daemon.metric("listener_outbox_pending") == 0
                and "outbox" in daemon.get("/healthz")[1]
                and len(set(stored_ids(tmp_path / "data" / "listener.sqlite3"))) == POSTS
            ),
            timeout=120,
            what="every post indexed and the outbox drained",
        )
        time.sleep(2)  # a further detection pass: nothing more to announce
    finally:
        daemon.stop()
    ids = stored_ids(tmp_path / "data" / "listener.sqlite3")
    assert len(ids) == POSTS and set(ids) == {f"k{i}" for i in range(POSTS)}
    alerts = (tmp_path / "alerts.log").read_text(encoding="utf-8")
    assert alerts.count("小米 · 新事件") == 1, alerts
