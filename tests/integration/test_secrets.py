"""No secret leaves in any output (issue 18, item 2): a real daemon whose Elasticsearch
URL carries ``user:password@``, whose feed URL carries ``?access_token=``, whose Slack,
webhook and SMTP notifiers all fail with their tokens and passwords configured, runs a
few cycles; then every output is searched for the secret values — the daemon's log,
``/healthz``, ``/metrics``, ``listener status``, the spool and the outbox as stored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.integration.daemon_harness import RunningDaemon
from tests.ports import free_port

pytestmark = pytest.mark.slow

SECRETS = {
    "ES_PASSWORD": "es-pw-Zq81x",
    "FEED_TOKEN": "feed-tok-77Aa",
    "HOOK_KEY": "hook-key-39Bb",
    "HOOK_SECRET": "hook-sign-55Cc",
    "SLACK_TOKEN": "xoxb-slack-tok-12Dd",
    "SMTP_PASSWORD": "smtp-pw-90Ee",
    "COOKIE": "SUB=cookie-val-44Ff",
}


def test_a_failing_daemon_leaks_no_secret_anywhere(tmp_path: Path) -> None:
    closed = free_port()  # nothing listens there: every call fails
    data = tmp_path / "data"
    config = tmp_path / "listener.yml"
    config.write_text(
        f"""
daemon: {{data_dir: {data}, http: {{port: 0}}, detect_interval: 1s}}
spool: {{poll_interval: 200ms}}
storage:
  type: elasticsearch
  url: "http://elastic:${{ES_PASSWORD}}@127.0.0.1:{closed}"
  timeout_s: 2
brands: [{{name: 小米}}]
sources:
  - name: feed
    platform: rss
    feeds: ["http://127.0.0.1:{closed}/feed?access_token=${{FEED_TOKEN}}&limit=20"]
    cookie: ${{COOKIE}}
    interval: 1h
notifiers:
  - {{type: console, name: console, path: {tmp_path / "alerts.log"}}}
  - {{type: webhook, name: hook, url: "http://127.0.0.1:{closed}/hook?key=${{HOOK_KEY}}",
      secret: "${{HOOK_SECRET}}"}}
  - {{type: slack, name: slack, token: "${{SLACK_TOKEN}}", channel: "#pr",
      base_url: "http://127.0.0.1:{closed}/api/"}}
  - {{type: email, name: mail, host: 127.0.0.1, port: {closed}, security: starttls,
      username: listener, password: "${{SMTP_PASSWORD}}", sender: l@example.com,
      recipients: [pr@example.com]}}
""",
        encoding="utf-8",
    )
    env = {"PATH": "/usr/bin:/bin", **SECRETS}
    daemon = RunningDaemon(config, env=env)
    try:
        daemon.wait_ready()
        daemon.wait_for(
            lambda: 'listener_source_healthy{source="feed"} 0.0' in daemon.get("/metrics")[1],
            timeout=60,
            what="the feed reported unhealthy",
        )
        daemon.wait_for(
            lambda: 'outcome="retry"' in daemon.get("/metrics")[1],
            timeout=60,
            what="a notifier failing",
        )
        outputs = {
            "/healthz": daemon.get("/healthz")[1],
            "/metrics": daemon.get("/metrics")[1],
        }
    finally:
        daemon.stop()
    status = subprocess.run(
        [sys.executable, "-m", "listener", "--config", str(config), "status"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    outputs |= {
        "log": daemon.output,
        "status": status.stdout + status.stderr,
        "alerts": (tmp_path / "alerts.log").read_text(encoding="utf-8", errors="replace"),
    }
    outputs |= {f.name: f.read_bytes().decode("utf-8", "replace") for f in data.glob("*")}
    assert "feed" in outputs["/healthz"] and "outbox.sqlite3" in outputs
    assert "127.0.0.1" in outputs["log"]  # the failures are logged, only the secrets go
    leaks = [
        (name, where)
        for where, text in outputs.items()
        for name, value in SECRETS.items()
        if value in text
    ]
    assert not leaks, leaks
