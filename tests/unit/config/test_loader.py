from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path

import pytest

from listener.config.loader import ConfigError, load_config, parse_config, resolve_config_path
from listener.config.types import parse_duration
from tests.conftest import REPO

MINIMAL = "brands:\n  - name: 小米\n"


def errors_of(text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "cfg.yml", environ or {})
    return caught.value.lines()


BAD_CONFIGS = [
    pytest.param(
        "brands:\n  - name: 小米\n    aliases: [xiaomi, mi, '']\n",
        "brands[0].aliases[2]: empty string (cfg.yml, line 3)",
        id="empty-alias",
    ),
    pytest.param(
        "daemon: {}\n", "brands: required field is missing (cfg.yml, line 1)", id="no-brands"
    ),
    pytest.param("brands: []\n", "brands: must list at least one entry", id="empty-brands"),
    pytest.param(
        MINIMAL + "sources:\n  - name: s\n    platform: jsonl\n    path: x.jsonl\n"
        "    interval: soon\n",
        "sources[0].interval: invalid duration 'soon' (use e.g. 30s, 5m, 1h30m) (cfg.yml, line 7)",
        id="bad-duration",
    ),
    pytest.param(
        MINIMAL + "sources:\n  - name: s\n    platform: myspace\n    path: x\n",
        "sources[0]: unknown platform 'myspace' (expected one of 'jsonl', 'weibo', ",
        id="unknown-platform",
    ),
    pytest.param(
        MINIMAL + "sources:\n  - name: s\n    platform: weibo_html\n",
        "sources[0]: s.weibo.com shows only a login page without a cookie: set cookie",
        id="weibo-html-needs-cookie",
    ),
    pytest.param(
        MINIMAL.replace("- name: 小米", "- name: 小米\n    queries: ['小米 AND (汽车']"),
        "brands[0].queries: missing ')' in '小米 AND (汽车'",
        id="unreadable-brand-query",
    ),
    pytest.param(
        MINIMAL + "sources:\n  - name: s\n    platform: rss\n    feeds: [not-a-url]\n",
        "sources[0].feeds[0]:",
        id="rss-feed-not-a-url",
    ),
    pytest.param(
        MINIMAL + "sources:\n  - name: s\n    platform: jsonl\n",
        "sources[0].path: required field is missing (cfg.yml, line 4)",
        id="missing-source-field",
    ),
    pytest.param(
        MINIMAL + "daemon:\n  timezone: Asia/Beijing\n",
        "daemon.timezone: unknown timezone 'Asia/Beijing' (use an IANA name, e.g. Asia/Shanghai)",
        id="bad-timezone",
    ),
    pytest.param(
        MINIMAL + "daemon:\n  http: {port: 70000}\n",
        "daemon.http.port: input should be less than or equal to 65535 (got 70000)",
        id="port-out-of-range",
    ),
    pytest.param(
        MINIMAL + "notifiers:\n  - type: pager\n    name: p\n",
        "notifiers[0]: unknown type 'pager' "
        "(expected one of 'console', 'webhook', 'slack', 'email')",
        id="unknown-notifier",
    ),
    pytest.param(
        MINIMAL + "notifiers:\n  - type: webhook\n    name: hook\n    url: http://x.test\n"
        "    colour: red\n",
        "notifiers[0].colour: unknown field (check the spelling against the config reference)"
        " (cfg.yml, line 7)",
        id="unknown-field-in-union",
    ),
    pytest.param(
        MINIMAL + "  - name: 小米\n",
        "brands[1].name: duplicate brand name '小米' (cfg.yml, line 3)",
        id="duplicate-brand",
    ),
    pytest.param(
        MINIMAL + "routing:\n  - notifiers: [slack-pr]\n",
        "routing[0].notifiers[0]: no notifier named 'slack-pr' (cfg.yml, line 4)",
        id="route-to-missing-notifier",
    ),
    pytest.param(
        MINIMAL + "digest:\n  groups:\n    - name: lead\n      time: '25:61'\n",
        "digest.groups[0].time: invalid time of day '25:61' (use HH:MM, e.g. 08:30)",
        id="bad-digest-time",
    ),
    pytest.param(
        MINIMAL + "detection:\n  bucket: 5m\n  history: 6m\n",
        "detection.history: must span at least two buckets",
        id="window-shorter-than-bucket",
    ),
    pytest.param("brands: [\n", "invalid YAML", id="yaml-syntax"),
    pytest.param(
        "- just\n- a list\n", "the top level must be a mapping of sections", id="top-level-list"
    ),
    pytest.param(
        MINIMAL + "spool:\n  batch_size: 0\n",
        "spool.batch_size: input should be greater than or equal to 1 (got 0)",
        id="zero-batch",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_CONFIGS)
def test_bad_config_is_reported_with_path_and_value(text: str, expected: str) -> None:
    lines = errors_of(text)
    assert any(expected in line for line in lines), lines


def test_every_problem_is_reported_at_once() -> None:
    lines = errors_of(
        "daemon:\n  timezone: Nowhere/Land\nbrands:\n  - name: ''\n"
        "sources:\n  - {name: a, platform: jsonl}\n"
    )
    assert [line.split(":")[0] for line in lines] == [
        "daemon.timezone",
        "brands[0].name",
        "sources[0].path",
    ]


def test_problems_of_every_kind_come_in_one_pass() -> None:
    """A plugin that cannot be imported, a schema error, a dangling reference and a
    missing variable: one run of ``config check`` names all four, not one per round."""
    lines = errors_of(
        "brands:\n  - {name: 小米}\n  - {name: 小米}\n"
        "notifiers:\n  - {type: console, name: console}\n"
        "  - {type: no_such_pkg.alerts:Teams, name: teams}\n"
        "  - {type: webhook, name: hook, url: '${HOOK_URL}'}\n"
        "detectors:\n  - {type: volume_spike, sensitivity: loud}\n"
        "routing:\n  - {brands: [华为], notifiers: [pager]}\n"
    )
    assert [line.split(":")[0] for line in lines] == [
        "notifiers[2].url",
        "notifiers[1].type",
        "detectors[0].sensitivity",
        "brands[1].name",
        "routing[0].brands[0]",
        "routing[0].notifiers[0]",
    ], lines
    assert "no module named 'no_such_pkg'" in lines[1].lower(), lines


def test_hostile_yaml_is_refused_in_one_line_quickly() -> None:
    """An alias bomb (10^9 values once expanded) and a deeply nested document: one line
    each, at once, instead of minutes and gigabytes or a RecursionError traceback."""
    import time
    from itertools import pairwise

    names = "abcdefghi"
    layers = "".join(
        f"{new}: &{new} [{', '.join(['*' + old] * 10)}]\n" for old, new in pairwise(names)
    )
    started = time.monotonic()
    (bomb,) = errors_of("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + layers + MINIMAL)
    assert bomb.startswith("more than 100,000 values once YAML aliases (*name) are expanded")
    (deep,) = errors_of("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert deep == "nested too deeply to be a configuration (cfg.yml)"
    assert time.monotonic() - started < 5
    # an ordinary anchor is still fine
    config = parse_config(
        MINIMAL + "sources:\n  - &s {name: a, platform: jsonl, path: x}\n", "c.yml", {}
    )
    assert config.sources[0].name == "a"


def test_a_key_with_a_line_break_is_quoted_in_one_line() -> None:
    lines = errors_of('brands: [{name: x}]\n"odd\\nkey": 1\n')
    assert lines == [
        '["odd\\nkey"]: unknown field (check the spelling against the config reference) '
        "(cfg.yml, line 2)"
    ]


def test_a_zero_interval_says_so_in_words() -> None:
    (line,) = errors_of(
        MINIMAL + "sources:\n  - {name: s, platform: jsonl, path: x, interval: 0s}\n"
    )
    assert line == "sources[0].interval: must be longer than 0s (got 0s) (cfg.yml, line 4)"


def test_environment_variables_are_substituted() -> None:
    config = parse_config(
        MINIMAL + "notifiers:\n  - type: webhook\n    name: hook\n    url: ${HOOK_URL}\n"
        "    secret: ${HOOK_SECRET:-fallback}\n",
        "cfg.yml",
        {"HOOK_URL": "https://hooks.example.com/x"},
    )
    hook = config.notifiers[0]
    assert str(hook.url) == "https://hooks.example.com/x"  # type: ignore[union-attr]
    assert hook.secret.get_secret_value() == "fallback"  # type: ignore[union-attr]


def test_missing_environment_variable_is_named() -> None:
    lines = errors_of(
        MINIMAL + "notifiers:\n  - type: webhook\n    name: h\n    url: ${HOOK_URL}\n"
    )
    assert "notifiers[0].url: environment variable HOOK_URL is not set (cfg.yml, line 6)" in lines


def test_secret_values_are_never_echoed() -> None:
    secret = "s3cr3t-token-value"
    lines = errors_of(
        MINIMAL + "notifiers:\n  - type: webhook\n    name: h\n    url: ${HOOK_URL}\n"
        "    secret: 12\n    timeout: ${TIMEOUT}\n",
        {"HOOK_URL": "not a url " + secret, "TIMEOUT": secret},
    )
    text = "\n".join(lines)
    assert secret not in text
    assert "notifiers[0].url" in text and "value hidden: secret" in text
    assert "notifiers[0].timeout" in text


def test_file_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^file not found \(.*nope.yml\)$"):
        load_config(tmp_path / "nope.yml")
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path)
    bad = tmp_path / "latin1.yml"
    bad.write_bytes("brands: [{name: caf\xe9}]".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad)


def test_defaults_live_in_the_models(config_for: Callable[[str], object]) -> None:
    config = parse_config(MINIMAL, "cfg.yml", {})
    assert config.daemon.timezone == "Asia/Shanghai"
    assert config.spool.lease == timedelta(minutes=2)
    assert config.digest.groups[0].time == time(8, 30)
    assert [n.name for n in config.notifiers] == ["console"]
    assert config.storage.type == "sqlite"


def test_the_example_lists_every_default_detector_with_its_defaults() -> None:
    """A copied example keeps all of them, and the commented settings are the defaults:
    uncommenting one changes nothing until its value is edited."""
    import re

    import yaml

    from listener.config.models import Config

    text = (REPO / "config" / "listener.example.yml").read_text("utf-8")
    example = load_config(REPO / "config" / "listener.example.yml")
    defaults = Config.model_fields["detectors"].default
    assert example.detectors == defaults
    block = text[text.index("\ndetectors:") : text.index("\nincidents:")]
    shown: dict[str, dict[str, object]] = {}
    for line in block.splitlines():
        if match := re.match(r"  - type: (\w+)", line):
            kind = match.group(1)
            shown[kind] = {}
        elif match := re.match(r"    # (\w+): (\S+)", line):
            shown[kind].update(yaml.safe_load(f"{match.group(1)}: {match.group(2)}"))
    for detector in defaults:
        values = detector.model_dump(mode="json", exclude={"type"})
        settings = shown[detector.type]
        assert set(settings) == set(values), detector.type
        for key, written in settings.items():
            expected = getattr(detector, key)
            value = parse_duration(str(written)) if isinstance(expected, timedelta) else written
            assert value == expected, (detector.type, key)


def test_unquoted_time_of_day_is_understood() -> None:
    # YAML 1.1 reads 08:30 unquoted as the base-60 integer 510
    config = parse_config(
        MINIMAL + "digest:\n  groups:\n    - name: g\n      time: 07:45\n", "cfg.yml", {}
    )
    assert config.digest.groups[0].time == time(7, 45)


def test_shipped_example_config_is_valid() -> None:
    config = load_config(REPO / "config" / "listener.example.yml")
    assert {b.name for b in config.brands} == {"小米", "蔚来"}
    assert config.sources[0].name == "sample"


def test_config_path_resolution(tmp_path: Path) -> None:
    assert resolve_config_path("x.yml", {}) == Path("x.yml")
    assert resolve_config_path(None, {"LISTENER_CONFIG": "/etc/l.yml"}) == Path("/etc/l.yml")
