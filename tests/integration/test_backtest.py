"""Replay and backtest through the real pipeline on a small generated scenario."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from bench.scenarios.generate import BRANDS, START, Generator, write
from listener.backtest import Alert, LabelledEvent, evaluate, run_backtest
from listener.config.loader import parse_config
from tests.cli_runner import listener

pytestmark = pytest.mark.slow

CONFIG = (
    "daemon: {http: {enabled: false}, log_level: error}\nbrands: [{name: 小米}, {name: 喜茶}]\n"
)


def small_scenario(tmp_path: Path) -> tuple[Path, Path]:
    gen = Generator(seed=3, days=3, brands=(BRANDS[0], BRANDS[4]))
    gen.holiday = START + timedelta(days=30)  # no holiday in three days
    gen.background()
    gen.sudden_surge(BRANDS[0], START + timedelta(days=2, hours=14))
    gen.sudden_surge(BRANDS[4], START + timedelta(days=2, hours=20))
    gen.positive_viral(BRANDS[0], START + timedelta(days=2, hours=9))
    gen.out.mentions.sort(key=lambda m: m.collected_at)
    return write(gen.out, tmp_path / "scenario")


def test_backtest_catches_surges_and_ignores_the_positive_moment(tmp_path: Path) -> None:
    mentions, events_path = small_scenario(tmp_path)
    config = parse_config(CONFIG, "test.yml", {})
    from listener.replay import read_observations

    observations = read_observations(mentions)
    events = [
        LabelledEvent.model_validate_json(line)
        for line in events_path.read_text(encoding="utf-8").splitlines()
    ]
    report, _ = run_backtest(
        config, observations, events, timedelta(minutes=5), timedelta(days=2), tmp_path / "data"
    )
    o = report.overall
    assert o.caught == 2 and o.events == 2
    assert o.median_delay_min is not None and o.median_delay_min <= 15
    assert o.alerts_on_non_crisis_events == 0
    assert report.detectors and all(r.caught <= 2 for r in report.detectors.values())


def test_evaluate_counts_delays_false_alerts_and_precision() -> None:
    t0 = START + timedelta(days=2)
    events = [
        LabelledEvent(
            brand="A", kind="sudden_surge", onset=t0, end=t0 + timedelta(hours=1), crisis=True
        ),
        LabelledEvent(
            brand="A",
            kind="slow_build",
            onset=t0 + timedelta(hours=5),
            end=t0 + timedelta(hours=8),
            crisis=True,
        ),
        LabelledEvent(
            brand="B", kind="campaign", onset=t0, end=t0 + timedelta(hours=4), crisis=False
        ),
    ]
    alerts = [
        Alert(t0 + timedelta(minutes=10), "A", "1", ("volume_spike",), "P2"),
        Alert(t0 + timedelta(hours=3), "A", "2", ("volume_spike",), "P3"),  # false
        Alert(t0 + timedelta(hours=1), "B", "3", ("negative_surge",), "P3"),  # on a campaign
    ]
    report = evaluate(alerts, events, ["A", "B"], t0, t0 + timedelta(days=1))
    o = report.overall
    assert (o.caught, o.events, o.median_delay_min, o.recall) == (1, 2, 10.0, 0.5)
    assert o.caught_by_kind == {"slow_build": "0/1", "sudden_surge": "1/1"}
    assert o.median_delay_by_kind_min == {"slow_build": None, "sudden_surge": 10.0}
    assert (o.false_alerts, o.alerts_on_non_crisis_events) == (2, 1)
    assert o.false_alerts_per_brand_week == 7.0 and o.precision == pytest.approx(0.333)
    assert report.detectors["negative_surge"].caught == 0


def test_cli_replay_and_backtest(tmp_path: Path) -> None:
    mentions, events = small_scenario(tmp_path)
    config = tmp_path / "listener.yml"
    config.write_text(CONFIG, encoding="utf-8")
    replayed = listener(
        "replay",
        str(mentions),
        "--step",
        "10m",
        "--data-dir",
        str(tmp_path / "replay"),
        config=config,
        timeout=600,
    )
    assert replayed.returncode == 0, replayed.stderr
    assert "replayed" in replayed.stdout and " incident" in replayed.stdout
    result = listener(
        "backtest",
        str(mentions),
        "--events",
        str(events),
        "--step",
        "10m",
        "--json",
        config=config,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["overall"]["events"] == 2 and report["overall"]["caught"] >= 1
    bad = listener(
        "backtest", str(mentions), "--events", str(tmp_path / "missing.jsonl"), config=config
    )
    assert bad.returncode == 2 and "missing.jsonl" in bad.stderr

    # the replay left a store behind: the same backtest over that stored history
    stored = tmp_path / "stored.yml"
    stored.write_text(
        CONFIG.replace("log_level: error}", f"log_level: error, data_dir: {tmp_path / 'replay'}}}"),
        encoding="utf-8",
    )
    from_store = listener(
        "backtest",
        "--from-store",
        "--events",
        str(events),
        "--step",
        "10m",
        "--json",
        config=stored,
        timeout=600,
    )
    assert from_store.returncode == 0, from_store.stderr
    again = json.loads(from_store.stdout)
    assert again["overall"]["events"] == 2
    assert again["overall"]["caught"] == report["overall"]["caught"]
