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
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.terminal_theme import MONOKAI

from listener.cli.demo import DemoView, summary_table
from listener.config.loader import load_config
from listener.demo.run import run_demo
from listener.demo.slack_server import SlackServer, slack_server
from listener.stores.base import MentionQuery
from listener.stores.sqlite import SqliteStore
from tests.blockkit_preview import message_html
from tests.browser import ink, page_width, screenshot
from tests.integration.test_rendering import keep_for_docs

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


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


def test_the_demo_as_the_terminal_and_slack_show_it(tmp_path: Path) -> None:
    """The view's last frame and the Slack message as the PR lead last saw it (its final
    in-place state, its thread, its chart) — the README's pictures."""
    base = load_config(ROOT / "config/listener.example.yml")
    view = DemoView()
    slack: SlackServer
    with slack_server() as slack:
        summary = run_demo(base, tmp_path / "demo", on_moment=view.moment, slack=slack)
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
