"""A plugin that is not shipped with Listener, added the documented way: its file
(``tests/plugins/keyword.py``) and this test, nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from listener.app import App
from listener.config.loader import ConfigError
from listener.config.models import Config
from tests.factories import T0, mention

DETECTOR = "tests.plugins.keyword:KeywordDetector"
NOTIFIER = "tests.plugins.keyword:JsonLinesNotifier"


def test_a_detector_and_a_notifier_named_by_import_path_run_in_the_pipeline(
    config_for: Callable[[str], Config], tmp_path: Path
) -> None:
    out = tmp_path / "alerts.jsonl"
    config = config_for(
        f"""
        brands: [{{name: 小米}}]
        detectors:
          - {{type: "{DETECTOR}", word: 爆炸}}
        notifiers:
          - {{type: "{NOTIFIER}", name: file, path: "{out}"}}
        incidents: {{group_wait: 0s}}
        """
    )
    assert [d.type for d in config.detectors] == [DETECTOR]
    app = App.build(config)
    now = T0 + timedelta(hours=1)
    try:
        app.store.bulk_upsert(
            [
                mention("1", "小米手机充电时爆炸了", sentiment="negative", at=now, minutes=-5),
                mention("2", "小米手机很好", at=now, minutes=-4),
            ]
        )
        [event] = app.detection.detect(now)
        assert event.incident.detectors == (DETECTOR,)
        assert app.deliveries.deliver(now) == {"sent": 1}
    finally:
        app.close()
    [line] = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == {"change": "opened", "brand": "小米", "detectors": [DETECTOR]}


def test_a_plugins_own_options_are_validated_with_the_field_path(
    config_for: Callable[[str], Config],
) -> None:
    with pytest.raises(ConfigError) as caught:
        config_for(f'brands: [{{name: 小米}}]\ndetectors: [{{type: "{DETECTOR}"}}]\n')
    assert caught.value.lines()[0].startswith("detectors[0].word: required field is missing")


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("tests.plugins.absent:Thing", "cannot import 'tests.plugins.absent'"),
        ("tests.plugins.keyword:Missing", "has no 'Missing'"),
        ("tests.plugins.keyword:JsonLinesNotifier", "is not a detector plugin"),
        ("tests.factories:mention", "is not a detector plugin"),
    ],
)
def test_a_plugin_that_cannot_be_loaded_is_one_line_with_its_field(
    config_for: Callable[[str], Config], name: str, says: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        config_for(f'brands: [{{name: 小米}}]\ndetectors: [{{type: "{name}"}}]\n')
    [line] = caught.value.lines()
    assert line.startswith("detectors[0].type: ") and says in line, line


def test_an_unknown_short_name_lists_the_shipped_plugins(
    config_for: Callable[[str], Config],
) -> None:
    with pytest.raises(ConfigError) as caught:
        config_for("brands: [{name: 小米}]\ndetectors: [{type: volume_spikes}]\n")
    [line] = caught.value.lines()
    assert "unknown type 'volume_spikes'" in line and "volume_spike" in line
