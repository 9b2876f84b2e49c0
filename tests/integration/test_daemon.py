"""The daemon as a user runs it: a real process, real crawls, HTTP health, signals."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listener.stores.base import MentionQuery
from listener.stores.sqlite import SqliteStore
from tests.factories import write_jsonl
from tests.integration.daemon_harness import RunningDaemon

pytestmark = pytest.mark.slow


COMPLAINTS = [  # a real pile-on: many people, each in their own words
    "小米手机发热严重，太垃圾了",
    "刚买的小米充电器坏了，客服敷衍",
    "小米售后太差，等了三天没人理",
    "小米新系统更新后卡顿，真失望",
    "小米电视黑屏了，要求退款",
    "小米手机又死机，垃圾",
    "吐槽一下小米的快递，箱子都烂了",
    "小米耳机用了一周就坏了，后悔",
    "小米客服态度恶心",
    "小米汽车交付一拖再拖，愤怒",
    "小米路由器天天掉线，崩溃",
    "小米扫地机撞坏家具，差评",
]


NEUTRAL = [
    "今天发布会几点",
    "新品参数出来了",
    "门店人挺多",
    "有人用过这款吗",
    "价格多少",
    "路过专卖店",
]


def recent_posts(n_negative: int) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    rows = [
        {
            "native_id": f"n{i}",
            "text": COMPLAINTS[i % len(COMPLAINTS)],
            "published_at": (now - timedelta(minutes=5, seconds=i)).isoformat(),
            "author": {"id": f"a{i}", "name": f"用户{i}", "followers": 100 * i},
            "engagement": {"reposts": i},
        }
        for i in range(n_negative)
    ]
    rows.append(
        {
            "native_id": "p1",
            "text": "小米SU7很满意",
            "published_at": now.isoformat(),
            "author": {"id": "p"},
        }
    )
    # the brand's ordinary day before: a few neutral mentions over the last six hours
    rows += [
        {
            "native_id": f"h{i}",
            "text": f"小米{NEUTRAL[i % len(NEUTRAL)]}",
            "published_at": (now - timedelta(minutes=20 + 30 * i)).isoformat(),
            "author": {"id": f"h{i}"},
        }
        for i in range(12)
    ]
    return rows


def daemon_config(tmp_path: Path, sources: str) -> Path:
    config = tmp_path / "listener.yml"
    config.write_text(
        f"""
daemon:
  data_dir: {tmp_path / "data"}
  http: {{port: 0}}
  detect_interval: 1s
spool: {{poll_interval: 200ms}}
incidents: {{group_wait: 2s}}  # the default minute is longer than these tests wait
brands:
  - name: 小米
sources:
{sources}
notifiers:
  - type: console
    name: console
    path: {tmp_path / "alerts.log"}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def start_daemon() -> Iterator[Callable[[Path], RunningDaemon]]:
    started: list[RunningDaemon] = []

    def start(config: Path) -> RunningDaemon:
        daemon = RunningDaemon(config)
        started.append(daemon)
        daemon.wait_ready()
        return daemon

    yield start
    for daemon in started:
        daemon.kill()


def test_daemon_collects_indexes_alerts_and_stops_cleanly(
    tmp_path: Path, start_daemon: Callable[[Path], RunningDaemon]
) -> None:
    posts = write_jsonl(tmp_path / "posts.jsonl", recent_posts(12))
    daemon = start_daemon(
        daemon_config(tmp_path, f"  - {{name: demo, platform: jsonl, path: {posts}, interval: 1h}}")
    )
    daemon.wait_for(
        lambda: daemon.metric("listener_mentions_indexed_total") >= 25, what="25 mentions indexed"
    )
    daemon.wait_for(
        lambda: "demo" in json.loads(daemon.get("/healthz")[1])["sources"],
        what="the crawl's health record",
    )
    code, body = daemon.get("/healthz")
    health = json.loads(body)
    assert code == 200 and health["status"] == "ok" and health["store"] == "ok"
    assert health["sources"]["demo"]["healthy"] is True
    assert daemon.metric('listener_mentions_collected_total{source="demo"}') == 25
    alerts = tmp_path / "alerts.log"
    daemon.wait_for(
        lambda: alerts.exists() and "[P" in alerts.read_text(encoding="utf-8"),
        what="an incident alert",
    )
    assert "小米 · 新事件" in alerts.read_text(encoding="utf-8")
    daemon.wait_for(
        lambda: json.loads(daemon.get("/healthz")[1])["outbox"]["pending"] == 0,
        what="the outbox drained",
    )
    assert (
        daemon.metric(
            'listener_notifications_total{kind="incident",notifier="console",outcome="sent"}'
        )
        >= 1
    )

    code, seconds = daemon.stop(signal.SIGTERM)
    assert code == 0 and seconds < 10
    assert "daemon stopped" in daemon.output
    # what the daemon is doing, in its log: when the digest is due, each index batch
    started = next(line for line in daemon.output.splitlines() if "daemon started" in line)
    assert re.search(r'next_digest="leadership \d{4}-\d\d-\d\d 08:30 CST"', started), started
    batches = [line for line in daemon.output.splitlines() if "batch indexed" in line]
    counts = [int(re.search(r"\bmentions=(\d+)", line).group(1)) for line in batches]
    assert sum(counts) == 25, batches
    assert all(re.search(r"seconds=[\d.]+ negative_share=[\d.]+", line) for line in batches)

    store = SqliteStore(tmp_path / "data" / "listener.sqlite3")
    try:
        assert store.search(MentionQuery(sentiments=("negative",))).total == 12
        [incident] = store.list_incidents()
        assert incident.notified_severity is not None  # announced exactly once, remembered
    finally:
        store.close()


def test_restart_does_not_repeat_alerts(
    tmp_path: Path, start_daemon: Callable[[Path], RunningDaemon]
) -> None:
    posts = write_jsonl(tmp_path / "posts.jsonl", recent_posts(12))
    config = daemon_config(
        tmp_path, f"  - {{name: demo, platform: jsonl, path: {posts}, interval: 1h}}"
    )
    alerts = tmp_path / "alerts.log"
    first = start_daemon(config)
    first.wait_for(
        lambda: alerts.exists() and "新事件" in alerts.read_text(encoding="utf-8"),
        what="the first alert",
    )
    assert first.stop()[0] == 0
    second = start_daemon(config)
    second.wait_for(
        lambda: second.metric('listener_job_duration_seconds_count{job="detect"}') >= 3,
        what="three detect passes",
    )
    assert second.stop()[0] == 0
    assert alerts.read_text(encoding="utf-8").count("新事件") == 1


def test_sigint_during_a_hung_crawl_stops_within_10_seconds(
    tmp_path: Path, start_daemon: Callable[[Path], RunningDaemon]
) -> None:
    fifo = tmp_path / "hang.jsonl"
    os.mkfifo(fifo)
    daemon = start_daemon(
        daemon_config(tmp_path, f"  - {{name: hang, platform: jsonl, path: {fifo}, timeout: 10m}}")
    )
    daemon.wait_for(
        lambda: daemon.metric('listener_job_duration_seconds_count{job="index"}') >= 2,
        what="the crawl to start",
    )
    code, seconds = daemon.stop(signal.SIGINT)
    assert code == 0 and seconds < 10


def test_a_broken_source_does_not_stop_the_others(
    tmp_path: Path, start_daemon: Callable[[Path], RunningDaemon]
) -> None:
    posts = write_jsonl(tmp_path / "posts.jsonl", recent_posts(2))
    daemon = start_daemon(
        daemon_config(
            tmp_path,
            (
                f"  - {{name: good, platform: jsonl, path: {posts}}}\n"
                f"  - {{name: broken, platform: jsonl, path: {tmp_path / 'missing.jsonl'}}}"
            ),
        )
    )
    daemon.wait_for(
        lambda: daemon.metric("listener_mentions_indexed_total") >= 3,
        what="the good source indexed",
    )
    daemon.wait_for(
        lambda: (
            daemon.metric('listener_source_healthy{source="broken"}') == 0
            and 'listener_source_healthy{source="broken"}' in daemon.get("/metrics")[1]
        ),
        what="the broken source reported",
    )
    # a crawl's mentions can be indexed before the crawl itself has finished and been
    # recorded: wait for the good source's record too
    daemon.wait_for(
        lambda: "good" in json.loads(daemon.get("/healthz")[1])["sources"],
        what="the good source's crawl recorded",
    )
    _, body = daemon.get("/healthz")
    sources = json.loads(body)["sources"]
    assert sources["good"]["healthy"] is True
    assert sources["broken"]["healthy"] is False
    assert "cannot read" in sources["broken"]["reason"]
    assert daemon.stop()[0] == 0
    # the operations channel heard about it once, naming the source and the reason
    alerts = (tmp_path / "alerts.log").read_text(encoding="utf-8")
    assert alerts.count("【数据源异常】broken: cannot read") == 1
    assert "good" not in alerts.split("【数据源异常】", 1)[1].split("\n", 1)[0]


def _crawl_running(daemon: RunningDaemon) -> bool:
    """A ``spiders.crawl`` child of the daemon is running (read from /proc)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == daemon.proc.pid and b"spiders.crawl" in cmdline:
            return True
    return False


def test_a_clean_stop_mid_crawl_is_not_an_outage(
    tmp_path: Path, start_daemon: Callable[[Path], RunningDaemon]
) -> None:
    """SIGTERM while a long crawl runs: the crawl stops within the grace period, and
    nothing says the source failed — no unhealthy record, no outage, no alert."""
    now = datetime.now(UTC)
    rows = [
        {
            "native_id": f"big{i}",
            "text": f"小米 第{i}条 {NEUTRAL[i % len(NEUTRAL)]}",
            "published_at": (now - timedelta(seconds=i)).isoformat(),
            "author": {"id": f"a{i % 500}"},
        }
        for i in range(150_000)
    ]
    posts = write_jsonl(tmp_path / "big.jsonl", rows)
    daemon = start_daemon(
        daemon_config(tmp_path, f"  - {{name: big, platform: jsonl, path: {posts}}}")
    )
    daemon.wait_for(lambda: _crawl_running(daemon), what="the crawl to start")
    time.sleep(2.0)  # well inside the crawl: it reads for tens of seconds
    assert _crawl_running(daemon), "the crawl ended before the stop: make the file larger"
    code, seconds = daemon.stop(signal.SIGTERM, timeout=20)
    assert code == 0 and seconds < 10, daemon.output
    assert "crawl stopped for shutdown" in daemon.output
    assert "source unhealthy" not in daemon.output and "-9" not in daemon.output
    store = SqliteStore(tmp_path / "data" / "listener.sqlite3")
    try:
        health = store.source_health("big")
        assert health is None or health.healthy, health
        assert store.outages(now - timedelta(days=1)) == []
    finally:
        store.close()
    alerts = tmp_path / "alerts.log"
    assert not alerts.exists() or "数据源" not in alerts.read_text(encoding="utf-8")


def test_an_open_health_endpoint_is_warned_about(
    tmp_path: Path, start_daemon: Callable[[Path], RunningDaemon]
) -> None:
    open_config = daemon_config(tmp_path, "  []").read_text(encoding="utf-8")
    exposed = tmp_path / "exposed.yml"
    exposed.write_text(open_config.replace("http: {port: 0}", "http: {host: 0.0.0.0, port: 0}"))
    daemon = start_daemon(exposed)
    daemon.wait_for(lambda: "daemon started" in daemon.output, what="the start")
    assert "health endpoint reachable from the network without authentication" in daemon.output
    daemon.stop()
    trusted = tmp_path / "trusted.yml"
    trusted.write_text(
        open_config.replace(
            "http: {port: 0}", "http: {host: 0.0.0.0, port: 0, trusted_network: true}"
        )
    )
    quiet = start_daemon(trusted)
    quiet.wait_for(lambda: "daemon started" in quiet.output, what="the start")
    assert "without authentication" not in quiet.output
