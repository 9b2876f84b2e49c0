"""The command line as a user types it: real processes, exit codes, output."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from listener.demo.http_recorder import http_recorder
from tests.cli_runner import listener
from tests.conftest import REPO
from tests.factories import post, write_jsonl

pytestmark = pytest.mark.slow


@pytest.fixture
def crawled(tmp_path: Path, write_config: Callable[[str], Path]) -> Path:
    posts = write_jsonl(
        tmp_path / "posts.jsonl",
        [
            post("1", "小米手机发热严重，太垃圾了", 0, engagement={"reposts": 50}),
            post("2", "小米SU7很满意，推荐", 10, platform="zhihu"),
            post("3", "蔚来换电站体验很差", 20),
            post("4", "小米粥", 30),
        ],
    )
    config = write_config(f"""
brands:
  - name: 小米
    exclude: [小米粥]
  - name: 蔚来
sources:
  - name: file
    platform: jsonl
    path: {posts}
    default_platform: weibo
""")
    result = listener("crawl", "file", config=config)
    assert result.returncode == 0, result.stderr
    assert "file: 3 mentions spooled, 1 without a brand dropped" in result.stdout
    assert "3 mentions indexed" in result.stdout
    return config


def test_config_check(tmp_path: Path) -> None:
    ok = listener("config", "check", str(REPO / "config" / "listener.example.yml"))
    assert ok.returncode == 0
    assert "ok: " in ok.stdout and "2 brands, 1 sources" in ok.stdout
    bad = tmp_path / "bad.yml"
    bad.write_text("brands:\n  - name: x\n    aliases: ['']\n", encoding="utf-8")
    result = listener("config", "check", str(bad))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"config error: brands[0].aliases[0]: empty string ({bad}, line 3)"
    )
    missing = listener("config", "check", str(tmp_path / "nope.yml"))
    assert missing.returncode == 2 and "file not found" in missing.stderr


def test_config_goes_before_or_after_the_command(crawled: Path) -> None:
    before = listener("status", "--json", config=crawled)
    after = listener("status", "--json", "--config", str(crawled))
    nested = listener("config", "check", "--config", str(crawled))
    assert before.returncode == after.returncode == nested.returncode == 0, after.stderr
    assert json.loads(after.stdout)["sources"] == json.loads(before.stdout)["sources"]
    assert f"ok: {crawled}: 2 brands, 1 sources" in nested.stdout


def test_version() -> None:
    from importlib.metadata import version

    result = listener("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"listener {version('listener')}"


def test_config_schema_accepts_the_example_and_refuses_a_typo(tmp_path: Path) -> None:
    import jsonschema
    import yaml

    written = listener("config", "schema", "--output", str(tmp_path / "schema.json"))
    assert written.returncode == 0, written.stderr
    schema = json.loads((tmp_path / "schema.json").read_text("utf-8"))
    assert json.loads(listener("config", "schema").stdout) == schema
    example = yaml.safe_load((REPO / "config" / "listener.example.yml").read_text("utf-8"))
    jsonschema.validate(example, schema)
    example["detection"]["buckett"] = "5m"
    with pytest.raises(jsonschema.ValidationError, match="'buckett' was unexpected"):
        jsonschema.validate(example, schema)


def test_search_table_and_json(crawled: Path) -> None:
    table = listener("search", "小米", config=crawled)
    assert table.returncode == 0, table.stderr
    assert "2 mentions matching '小米'" in table.stdout
    assert "小米手机发热严重" in table.stdout and "蔚来" not in table.stdout
    negative = listener("search", "--sentiment", "negative", "--json", config=crawled)
    found = [json.loads(line) for line in negative.stdout.splitlines()]
    assert {m["id"] for m in found} == {"weibo:1", "weibo:3"}
    only = listener("search", "--brand", "小米", "--platform", "zhihu", "--json", config=crawled)
    assert [json.loads(line)["id"] for line in only.stdout.splitlines()] == ["zhihu:2"]
    ranged = listener(
        "search",
        "--since",
        "2026-11-20T16:15",
        "--until",
        "2026-11-20T16:25",
        "--json",
        config=crawled,
    )  # Shanghai time: 08:15–08:25 UTC
    assert [json.loads(line)["id"] for line in ranged.stdout.splitlines()] == ["weibo:3"]


def test_search_rejects_bad_arguments(crawled: Path) -> None:
    bad_since = listener("search", "--since", "yesterday-ish", config=crawled)
    assert bad_since.returncode == 2 and "use 2h, 7d or an ISO date" in bad_since.stderr
    bad_brand = listener("search", "--brand", "苹果", config=crawled)
    assert bad_brand.returncode == 2 and "no brand named '苹果'" in bad_brand.stderr


def test_status(crawled: Path) -> None:
    result = listener("status", config=crawled)
    assert result.returncode == 0, result.stderr
    assert "spool: pending 0, claimed 0, delayed 0, dead 0" in result.stdout
    assert "file" in result.stdout and "ok" in result.stdout
    assert "open incidents: none" in result.stdout
    data = json.loads(listener("status", "--json", config=crawled).stdout)
    assert data["sources"]["file"]["healthy"] is True
    assert data["sources"]["file"]["last_items"] == 3
    assert data["sources"]["file"]["last_errors"] == 0
    assert "0/1 (0%)" in result.stdout  # failed runs / runs


def test_status_before_anything_ran(write_config: Callable[[str], Path]) -> None:
    config = write_config(
        "brands: [{name: 小米}]\nsources:\n  - {name: s, platform: jsonl, path: x.jsonl}\n"
    )
    result = listener("status", config=config)
    assert result.returncode == 0, result.stderr
    assert "spool: empty (no crawl has run yet)" in result.stdout
    assert "never run" in result.stdout


def test_unknown_source_and_unhealthy_crawl(
    write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    config = write_config(
        f"brands: [{{name: 小米}}]\nsources:\n"
        f"  - {{name: gone, platform: jsonl, path: {tmp_path / 'gone.jsonl'}}}\n"
    )
    unknown = listener("crawl", "nope", config=config)
    assert unknown.returncode == 2 and "no source named 'nope' (sources: gone)" in unknown.stderr
    failed = listener("crawl", "gone", config=config)
    assert failed.returncode == 1
    assert "source gone: cannot read" in failed.stderr


def test_unreadable_spool_is_one_line(write_config: Callable[[str], Path], tmp_path: Path) -> None:
    config = write_config("brands: [{name: 小米}]\n")
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "spool.sqlite3").write_bytes(b"garbage" * 1000)
    result = listener("status", config=config)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot open spool")
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_config_anywhere(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "listener", "status"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 2
    assert "no configuration found: pass --config FILE or set LISTENER_CONFIG" in result.stderr


def test_kibana_setup_imports_the_saved_objects_twice_without_harm(
    write_config: Callable[[str], Path],
) -> None:
    with http_recorder() as kibana:
        kibana.reply = b'{"success":true,"successCount":13}'
        config = write_config(
            f"brands: [{{name: 小米}}]\nkibana: {{url: '{kibana.url}', "
            "public_url: 'https://kibana.example.com', api_key: '${KIBANA_KEY:-k3y}'}\n"
        )
        first = listener("kibana", "setup", config=config)
        second = listener("kibana", "setup", config=config)
    assert first.returncode == 0 and second.returncode == 0, first.stderr
    assert "imported 13 saved objects" in first.stdout
    assert "https://kibana.example.com/app/dashboards#/view/listener-overview" in first.stdout
    assert [r.path for r in kibana.requests] == ["/api/saved_objects/_import?overwrite=true"] * 2
    unconfigured = write_config("brands: [{name: 小米}]\n", "plain.yml")
    missing = listener("kibana", "setup", config=unconfigured)
    assert missing.returncode == 2 and "no kibana section" in missing.stderr


def test_prune_deletes_old_mentions(crawled: Path) -> None:
    kept = listener("search", "--json", "--limit", "100", config=crawled)
    before = len(kept.stdout.splitlines())
    assert before == 3
    nothing = listener("prune", "--before", "2020-01-01", "--yes", config=crawled)
    assert nothing.returncode == 0 and "deleted 0 mentions" in nothing.stdout
    everything = listener("prune", "--before", "2099-01-01", "--yes", config=crawled)
    assert everything.returncode == 0 and "deleted 3 mentions" in everything.stdout
    after = listener("search", "--json", config=crawled)
    assert after.stdout.strip() == ""
