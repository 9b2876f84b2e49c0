"""``python -m spiders.parse``: the stable interface for outside conformance checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.captures import CAPTURES


def parse(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spiders.parse", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_prints_one_json_line_per_mention(captures: Path) -> None:
    done = parse("weibo", str(CAPTURES / "weibo/m-search-shijiebei-2018-page2.json"))
    assert done.returncode == 0 and done.stderr == ""
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == 13
    post = next(r for r in records if r["native_id"] == "4254253956751501")
    assert post["published_at"] == "2018-06-23T17:57:26+00:00"
    assert post["author"] == {
        "id": "1638781994",
        "name": "新浪体育",
        "followers": 10686684,
        "verified": True,
    }
    assert post["engagement"] == {
        "reposts": 841,
        "comments": 855,
        "likes": 984,
        "views": 0,
        "at_least": [],
    }
    assert post["kind"] == "post" and post["thread_id"] is None and post["long_text"] is False


def test_the_url_supplies_ids_that_only_live_there(captures: Path) -> None:
    body = str(CAPTURES / "weibo/m-statuses-extend-4649031014551911.json")
    alone = parse("weibo", body)
    assert alone.returncode == 0 and alone.stdout == "" and "--url" in alone.stderr
    done = parse("weibo", body, "--url", "https://m.weibo.cn/statuses/extend?id=4649031014551911")
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert record["id"] == "weibo:4649031014551911" and record["long_text"] is True


def test_a_body_it_cannot_read_is_one_line_on_stderr_and_exit_0(tmp_path: Path) -> None:
    garbage = tmp_path / "x.json"
    garbage.write_bytes(b'{"ok": 1, "data": {"cards": [')
    done = parse("weibo", str(garbage))
    assert done.returncode == 0 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "not valid JSON" in done.stderr
    empty = tmp_path / "empty.json"
    empty.write_bytes(b'{"ok":0,"msg":"no results","data":{"cards":[]}}')
    nothing = parse("weibo", str(empty))
    assert (nothing.returncode, nothing.stdout, nothing.stderr) == (0, "", "")


def test_json_nested_a_thousand_levels_deep_is_one_line_too(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 1100 + b"]" * 1100)  # 2 KB
    for platform in ("weibo", "zhihu", "bilibili"):
        done = parse(platform, str(deep))
        assert done.returncode == 0 and done.stdout == "", done.stderr
        assert "JSON nested too deeply to read" in done.stderr
        assert len(done.stderr.splitlines()) == 1, done.stderr


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert parse("myspace", str(tmp_path / "x")).returncode == 2
    missing = parse("weibo", str(tmp_path / "missing.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_weibo_past_the_last_page_is_empty_not_an_error(tmp_path: Path) -> None:
    end = tmp_path / "end.json"
    end.write_text('{"ok":0,"msg":"这里还没有内容"}', encoding="utf-8")
    done = parse("weibo", str(end))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
