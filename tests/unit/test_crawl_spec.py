from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from listener.config.loader import ConfigError
from listener.config.models import Config
from listener.crawling import crawl_spec
from spiders.settings import crawl_settings
from spiders.spec import CrawlSpec
from spiders.spiders.weibo import WeiboOptions

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
    assert spec.options.keywords == ["小米汽车"]
    assert spec.brands[0].queries == ("小米 NEAR/5 召回",)
    # the crawl reads back the same typed options, the cookie included (a pipe, not a log)
    again = CrawlSpec.from_json(spec.to_json())
    assert isinstance(again.options, WeiboOptions) and again.options == spec.options
    assert again.options.headers() == {"Cookie": "SUB=abc"}
    assert "SUB=abc" not in spec.model_dump_json() and "SUB=abc" not in repr(spec)


def test_defaults_live_in_the_options_models_only(config_for: Callable[[str], Config]) -> None:
    config = config_for("brands: [{name: 小米}]\nsources: [{name: w, platform: weibo}]\n")
    spec = crawl_spec(config, config.sources[0], None)
    settings = crawl_settings(spec)
    assert settings["DOWNLOAD_DELAY"] == WeiboOptions.model_fields["delay"].default.seconds == 2
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert settings["AUTOTHROTTLE_TARGET_CONCURRENCY"] == 1.0
    assert spec.options.base == "https://m.weibo.cn"


def test_a_misspelt_option_is_an_error_not_a_default(config_for: Callable[[str], Config]) -> None:
    with pytest.raises(ConfigError) as caught:
        config_for("brands: [{name: 小米}]\nsources: [{name: w, platform: weibo, dealy: 5s}]\n")
    assert caught.value.lines()[0].startswith("sources[0].dealy: unknown field")


def test_backfill_ignores_the_cursor_and_pages_further(config_for: Callable[[str], Config]) -> None:
    config = config_for(SOURCE)
    since = datetime(2026, 11, 1, tzinfo=UTC)
    spec = crawl_spec(config, config.sources[0], "2026-11-20T00:00:00+00:00", since)
    assert spec.cursor == "2026-11-01T00:00:00+00:00" and spec.page_limit == 40
