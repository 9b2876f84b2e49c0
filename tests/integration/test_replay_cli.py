"""``listener replay`` as a person uses it: posts in the jsonl source's format, brands
matched as the spiders match them, a dry run, a choice of notifiers, and a store that
``status`` and ``search`` read afterwards."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli_runner import listener

pytestmark = pytest.mark.slow

CONFIG = """\
daemon: {http: {enabled: false}, log_level: error}
model: {type: lexicon}
brands: [{name: 小米, aliases: [Xiaomi], exclude: [小米粥]}]
notifiers:
  - {type: console}
  - {type: webhook, name: hook, url: "http://127.0.0.1:9/never"}
"""
START = datetime(2026, 11, 20, 8, tzinfo=UTC)


def post(i: int, at: datetime, text: str, followers: int = 120) -> str:
    return json.dumps(
        {
            "native_id": f"p{i}",
            "text": text,
            "published_at": at.isoformat(),
            "author": {"id": f"u{i}", "name": f"用户{i}", "followers": followers},
        },
        ensure_ascii=False,
    )


def crisis_file(path: Path) -> tuple[Path, int]:
    """Two calm days of 小米 posts, then a burst of complaints; three posts about
    nothing configured (小米粥 is excluded)."""
    lines = [
        post(i, START + timedelta(minutes=20 * i), f"小米新品发布会今天开，看看有什么亮点 {i}")
        for i in range(144)
    ]
    onset = START + timedelta(days=2)
    lines += [
        post(
            1000 + i,
            onset + timedelta(seconds=30 * i),
            f"小米手机发热严重，客服态度太差，失望，要投诉维权！第{i}次",
        )
        for i in range(80)
    ]
    lines += [
        post(2000 + i, START + timedelta(hours=i), text)
        for i, text in enumerate(["今天煮了小米粥", "天气不错", "去公园散步"])
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, 224


def test_replay_reads_source_format_matches_brands_and_dry_runs(tmp_path: Path) -> None:
    config = tmp_path / "listener.yml"
    config.write_text(CONFIG, encoding="utf-8")
    posts, about_brand = crisis_file(tmp_path / "posts.jsonl")
    store = tmp_path / "replay"
    result = listener(
        "replay", str(posts), "--step", "5m", "--dry-run", "--data-dir", str(store),
        config=config, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "3 of 227 observations mention no configured brand (小米)" in result.stderr
    out = result.stdout
    assert f"replayed {about_brand} observations" in out
    # every configured notifier is shown what it would have sent; nothing was sent
    assert "console (dry run) would have sent" in out
    assert "hook (dry run) would have sent" in out
    opened = [line for line in out.splitlines() if "新事件" in line and "小米" in line]
    assert len(opened) == 2, out  # once per notifier: one crisis, one first message
    assert "平时" in opened[0] or "负面提及" in opened[0]  # the headline, in words
    assert f"listener status --data-dir {store}" in out

    # the replay's store is readable afterwards
    found = listener("search", "--data-dir", str(store), "--limit", "1000", "--json", config=config)
    assert found.returncode == 0, found.stderr
    texts = [json.loads(line)["text"] for line in found.stdout.splitlines()]
    assert len(texts) == about_brand and not any("小米粥" in t for t in texts)
    status = listener("status", "--data-dir", str(store), config=config)
    assert status.returncode == 0, status.stderr
    assert "小米" in status.stdout
    missing = listener("status", "--data-dir", str(tmp_path / "nothing"), config=config)
    assert missing.returncode == 2 and "no Listener store here" in missing.stderr


def test_replay_refuses_files_about_no_configured_brand(tmp_path: Path) -> None:
    config = tmp_path / "listener.yml"
    config.write_text(CONFIG, encoding="utf-8")
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        "\n".join(post(i, START + timedelta(minutes=i), "华为发布会") for i in range(3)) + "\n",
        encoding="utf-8",
    )
    result = listener("replay", str(posts), config=config)
    assert result.returncode == 2
    assert "none of its 3 observations mentions a configured brand (小米)" in result.stderr


def test_replay_sends_only_through_the_chosen_notifiers(tmp_path: Path) -> None:
    config = tmp_path / "listener.yml"
    config.write_text(CONFIG, encoding="utf-8")
    posts, _ = crisis_file(tmp_path / "posts.jsonl")
    unknown = listener("replay", str(posts), "--notifiers", "slack", config=config)
    assert unknown.returncode == 2
    assert "no notifier named slack (configured: console, hook)" in unknown.stderr
    # only the console: the webhook (which points nowhere) is not used, so nothing waits
    result = listener(
        "replay", str(posts), "--step", "5m", "--notifiers", "console",
        "--data-dir", str(tmp_path / "r"), config=config, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "[P" in result.stdout and "小米" in result.stdout  # the console's own messages
    with sqlite3.connect(tmp_path / "r" / "outbox.sqlite3") as db:
        used = {row[0] for row in db.execute("SELECT notifier FROM outbox")}
    assert used == {"console"}
