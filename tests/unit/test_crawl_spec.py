from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from listener.config.models import Config
from listener.crawling import crawl_spec

SOURCE = """
brands:
  - name: 小米
    queries: ['小米 NEAR/5 召回']
sources:
  - name: w
    platform: weibo
    keywords: [小米汽车]
    cookie: SUB=abc
    page_limit: 3
    backfill_page_limit: 40
"""


def test_spec_carries_options_queries_and_cookie(config_for: Callable[[str], Config]) -> None:
    config = config_for(SOURCE)
    spec = crawl_spec(config, config.sources[0], "2026-11-20T00:00:00+00:00")
    assert spec.spider == "weibo" and spec.page_limit == 3
    assert spec.cursor == "2026-11-20T00:00:00+00:00"
    assert spec.options["keywords"] == ["小米汽车"] and spec.options["cookie"] == "SUB=abc"
    assert spec.brands[0].queries == ("小米 NEAR/5 召回",)


def test_backfill_ignores_the_cursor_and_pages_further(config_for: Callable[[str], Config]) -> None:
    config = config_for(SOURCE)
    since = datetime(2026, 11, 1, tzinfo=UTC)
    spec = crawl_spec(config, config.sources[0], "2026-11-20T00:00:00+00:00", since)
    assert spec.cursor == "2026-11-01T00:00:00+00:00" and spec.page_limit == 40
