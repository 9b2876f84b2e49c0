"""Real crawls: a Scrapy subprocess reading a JSON-lines source, writing to a real spool."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from listener.app import App
from listener.config.models import Config
from listener.crawling import CrawlRunner, crawl_spec
from listener.domain import utcnow
from listener.spool import Spool
from tests.factories import post, write_jsonl

pytestmark = pytest.mark.slow

BRANDS = """
brands:
  - name: 小米
    aliases: [Xiaomi]
    exclude: [小米粥]
"""


def config_with(config_for: Callable[[str], Config], path: Path) -> Config:
    return config_for(
        BRANDS + f"sources:\n  - name: file\n    platform: jsonl\n"
        f"    path: {path}\n    default_platform: weibo\n"
    )


def spooled(config: Config) -> dict[str, object]:
    with Spool(config.spool_path) as spool:
        return {e.mention.id: e.mention for e in spool.claim(1000, timedelta(minutes=1))}


def test_crawl_normalises_matches_dedupes_and_spools(
    tmp_path: Path, config_for: Callable[[str], Config]
) -> None:
    source = write_jsonl(
        tmp_path / "posts.jsonl",
        [
            post("1", "<p>小米手机发热<br>严重</p>", 0, engagement={"reposts": 3}),
            post("2", "今天喝了小米粥", 1),
            post("3", "ＸＩＡＯＭＩ 新品", 2, platform="zhihu", kind="answer"),
            post("1", "小米 duplicate line", 3),
            post("4", "回复：小米不错", 4, thread_id="1", parent_id="1", kind="comment"),
        ],
    )
    config = config_with(config_for, source)
    outcome = CrawlRunner().run(crawl_spec(config, config.sources[0], None), timeout=60)
    assert outcome.failure is None and outcome.result is not None
    result = outcome.result
    assert (result.items_spooled, result.dropped_no_brand, result.dropped_duplicate) == (3, 1, 1)
    assert result.healthy and result.cursor == "2026-11-20T08:04:00+00:00"
    mentions = spooled(config)
    assert sorted(mentions) == ["weibo:1", "weibo:4", "zhihu:3"]
    first = mentions["weibo:1"]
    assert first.text == "小米手机发热\n严重"  # type: ignore[attr-defined]
    assert first.text_original == "<p>小米手机发热<br>严重</p>"  # type: ignore[attr-defined]
    assert first.engagement.reposts == 3 and first.source == "file"  # type: ignore[attr-defined]
    assert mentions["zhihu:3"].matched_terms == {"小米": ("xiaomi",)}  # type: ignore[attr-defined]
    reply = mentions["weibo:4"]
    assert reply.thread_id == "weibo:1" and reply.kind == "comment"  # type: ignore[attr-defined]


def test_cursor_makes_the_next_crawl_incremental(
    tmp_path: Path, config_for: Callable[[str], Config]
) -> None:
    path = tmp_path / "posts.jsonl"
    write_jsonl(path, [post("1", "小米 一", 0), post("2", "小米 二", 5)])
    config = config_with(config_for, path)
    runner = CrawlRunner()
    first = runner.run(crawl_spec(config, config.sources[0], None), timeout=60).result
    assert first is not None and first.items_spooled == 2
    write_jsonl(path, [post("1", "小米 一", 0), post("2", "小米 二", 5), post("3", "小米 三", 9)])
    second = runner.run(crawl_spec(config, config.sources[0], first.cursor), timeout=60).result
    assert second is not None
    assert second.items_spooled == 2  # the newest already seen (same timestamp) and the new one
    assert sorted(spooled(config)) == ["weibo:1", "weibo:2", "weibo:3"]


def test_garbage_lines_are_counted_and_the_crawl_goes_on(
    tmp_path: Path, config_for: Callable[[str], Config]
) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(
        b'{"native_id": "1", "text": "\xe5\xb0\x8f\xe7\xb1\xb3 ok", '
        b'"published_at": "2026-11-20T08:00:00+00:00", "author": {"id": "a"}}\n'
        b"{not json\n"
        b'{"native_id": "2", "text": "\xff\xfe bad utf8", "published_at": "x", "author": {}}\n'
        b'{"native_id": "3", "text": "naive time", "published_at": "2026-11-20T08:00:00",'
        b' "author": {"id": "a"}}\n'
    )
    config = config_with(config_for, path)
    result = CrawlRunner().run(crawl_spec(config, config.sources[0], None), timeout=60).result
    assert result is not None and result.healthy
    assert (result.items_spooled, result.errors) == (1, 3)


def test_missing_file_marks_the_source_unhealthy(
    tmp_path: Path, config_for: Callable[[str], Config]
) -> None:
    config = config_with(config_for, tmp_path / "nope.jsonl")
    result = CrawlRunner().run(crawl_spec(config, config.sources[0], None), timeout=60).result
    assert result is not None and not result.healthy
    assert "cannot read" in result.reason and "nope.jsonl" in result.reason


def test_a_hung_crawl_is_killed_at_its_timeout(
    tmp_path: Path, config_for: Callable[[str], Config]
) -> None:
    fifo = tmp_path / "never.jsonl"
    os.mkfifo(fifo)  # reading a FIFO with no writer blocks forever
    config = config_with(config_for, fifo)
    started = time.monotonic()
    outcome = CrawlRunner(grace=1.0).run(crawl_spec(config, config.sources[0], None), timeout=3)
    assert outcome.result is None
    assert outcome.failure is not None and "timed out after 3s" in outcome.failure
    assert time.monotonic() - started < 10


def test_an_outage_is_recorded_while_a_source_is_down(
    tmp_path: Path, config_for: Callable[[str], Config]
) -> None:
    path = tmp_path / "posts.jsonl"
    app = App.build(config_with(config_for, path))
    try:
        source = app.config.sources[0]
        down = app.collection.crawl(source).health
        assert not down.healthy
        (outage,) = app.store.outages(utcnow() - timedelta(days=1))
        assert outage.platforms == ("weibo",) and outage.end is None
        assert "cannot read" in outage.reason
        write_jsonl(path, [post("1", "小米 一", 0)])
        up = app.collection.crawl(source).health
        assert up.healthy
        (closed,) = app.store.outages(utcnow() - timedelta(days=1))
        assert closed.start == outage.start and closed.end is not None
    finally:
        app.close()
