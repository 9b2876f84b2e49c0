"""``listener demo`` as a newcomer runs it, and the pictures the README shows of it.

The demo is the real pipeline (crawl subprocesses, the shipped model, SQLite, the
detectors, the outbox, slack-sdk) against the simulated platform, so these tests are
what "it finds a crisis early, in one message, with no false alert" means end to end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.terminal_theme import MONOKAI

from listener.cli.demo import DemoView, summary_table
from listener.config.loader import parse_config
from listener.demo.run import Summary, run_demo
from listener.demo.slack_server import SlackServer, slack_server
from listener.stores.base import MentionQuery
from listener.stores.elasticsearch import ElasticsearchStore, ElasticsearchStoreConfig
from listener.stores.sqlite import SqliteStore
from tests.blockkit_preview import message_html
from tests.browser import ink, page_width, screenshot
from tests.elasticsearch_node import elasticsearch_url, unique_prefix
from tests.integration.test_rendering import keep_for_docs
from tests.smtp_server import smtp_server

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with slack_server() as server:
        yield server


def test_demo_fast_prints_its_summary_and_meets_its_targets(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-m", "listener", "demo", "--fast", "--data-dir", str(data)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "LISTENER_CONFIG": str(ROOT / "config/listener.example.yml")},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout  # one JSON line, nothing else on stdout
    summary = json.loads(lines[0])
    assert summary["delay_minutes"] is not None and 0 <= summary["delay_minutes"] <= 15
    assert summary["thread_reposts_at_alert"] < 0.2 * summary["thread_reposts_at_peak"]
    assert summary["false_alerts"] == 0
    # one crisis, one incident, one message: updated in place, changes in its thread
    assert summary["incidents"] == 1 and summary["slack_messages"] == 1
    assert summary["slack_updates"] >= 5 and summary["slack_thread_replies"] >= 3
    # every post the platform published is in the store, exactly once
    assert summary["mentions"] == summary["posts_published"]
    store = SqliteStore(data / "listener.sqlite3")
    try:
        found = store.search(MentionQuery(text="鼓包", limit=1000)).mentions
        assert len({m.id for m in found}) == len(found) > 20
    finally:
        store.close()
    digest = Path(summary["digest"]).read_text(encoding="utf-8")
    assert "星曜" in digest
    alerts = (data / "alerts.log").read_text(encoding="utf-8")
    assert "数码老炮儿" in alerts  # the console notifier heard the same crisis


def _blocks(call_args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = call_args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def render_terminal(view: DemoView, summary: Summary, tmp_path: Path) -> None:
    """The view's last frame and the summary, as the README shows them."""
    view.phase = "done"
    console = Console(record=True, width=104, force_terminal=True, color_system="truecolor")
    console.print(view.render())
    console.print(summary_table(summary))
    frame = console.export_text(clear=False)
    assert "resolved" in frame and "acknowledged by" in frame
    assert "已解决" in frame  # the resolution, as Slack got it
    terminal = tmp_path / "terminal.html"
    terminal.write_text(console.export_html(theme=MONOKAI, inline_styles=True), encoding="utf-8")
    shot = screenshot(terminal, tmp_path / "demo-terminal.png", 1120, 760)
    assert ink(shot) > 0.05
    keep_for_docs(tmp_path / "demo-terminal.png", "demo-terminal.png")


def render_slack(slack: SlackServer, tmp_path: Path) -> None:
    """The one Slack message as the PR lead last saw it: its final in-place state, its
    thread, its chart."""
    top = [c for c in slack.of("chat.postMessage") if not c.args.get("thread_ts")]
    assert len(top) == 1
    final = slack.of("chat.update")[-1]
    assert final.args["ts"] == "1763900000.000001"  # the one message, edited in place
    thread = [
        str(c.args.get("text"))
        for c in slack.of("chat.postMessage")
        if c.args.get("thread_ts") and c.args.get("text")
    ]
    assert any("已确认" in t for t in thread) and any("官方已回应" in t for t in thread)
    chart = slack.uploads[-1] if slack.uploads else None
    page = tmp_path / "slack.html"
    page.write_text(message_html(_blocks(final.args), thread, chart), encoding="utf-8")
    assert page_width(page, 820) <= 820
    image = screenshot(page, tmp_path / "demo-slack.png", 820, 1400)
    assert ink(image) > 0.05
    keep_for_docs(tmp_path / "demo-slack.png", "demo-slack.png")


def test_the_demo_end_to_end_on_elasticsearch_with_the_digest_mailed(
    tmp_path: Path, slack: SlackServer
) -> None:
    """Issue 16, part 4: the demo story against the real Elasticsearch node (the repo's
    script), a real SMTP server and the recording Slack server: the incident opens
    within 15 minutes of onset, one top-level Slack message with its updates, nothing
    raised by the praise or the news, every post searchable exactly once, the digest
    mailed with the day's numbers. The live view and the Slack stand-in of this run are
    rendered into the README's pictures (``make screenshots``)."""
    prefix = unique_prefix()
    with smtp_server() as box:
        base = parse_config(
            f"""
brands: [{{name: 小米}}]  # the user's own: the demo brings its 星曜
storage: {{type: elasticsearch, url: "{elasticsearch_url()}", index_prefix: {prefix}}}
model: {{type: transformer}}
notifiers:
  - {{type: email, name: mail, host: 127.0.0.1, port: {box.port}, security: none,
      sender: listener@example.com, recipients: [pr@example.com]}}
digest:
  groups: [{{name: leadership, recipients: [ceo@example.com]}}]
""",
            "<test>",
            environ={},
        )
        view = DemoView()
        summary = run_demo(base, tmp_path / "demo", on_moment=view.moment, slack=slack)
        delivered = list(box.delivered)
    assert summary.delay_minutes is not None and summary.delay_minutes <= 15
    assert summary.false_alerts == 0 and summary.incidents == 1
    assert summary.slack_messages == 1 and summary.slack_updates >= 5
    store = ElasticsearchStore(
        ElasticsearchStoreConfig(url=elasticsearch_url(), index_prefix=f"{prefix}-demo")
    )
    try:
        everything = store.search(MentionQuery(limit=5000)).mentions
        ids = [m.id for m in everything]
        assert len(ids) == len(set(ids)) == summary.posts_published
        day = datetime.fromisoformat(summary.onset).replace(hour=0, minute=0)
        of_day = store.search(MentionQuery(since=day, until=day + timedelta(days=1), limit=0))
    finally:
        store.destroy()
        store.close()
    digests = [m for m in delivered if str(m.message["Subject"]).startswith("舆情日报")]
    assert len(digests) == 1 and digests[0].recipients == ["ceo@example.com"]
    text = digests[0].message.get_body(("plain",)).get_content()
    assert f"星曜：提及 {of_day.total}，" in text, text[:400]
    # the e-mail notifier heard the one incident too: opened once, resolved once
    alerts = [m for m in delivered if m not in digests]
    assert all(m.recipients == ["pr@example.com"] for m in alerts)
    bodies = [m.message.get_content() for m in alerts]
    assert sum("· 新事件 ·" in b for b in bodies) == 1, [b[:80] for b in bodies]
    assert sum("已解决" in str(m.message["Subject"]) for m in alerts) == 1
    render_terminal(view, summary, tmp_path)
    render_slack(slack, tmp_path)
