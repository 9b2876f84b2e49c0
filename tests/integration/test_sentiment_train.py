"""``python -m models.train`` end to end on a small sample: a model directory that loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models import load_scorer
from tests.cli_runner import module

pytestmark = pytest.mark.slow


def test_training_writes_a_loadable_model_with_its_card(tmp_path: Path) -> None:
    out, encoder = tmp_path / "model", tmp_path / "encoder"
    args = ["--out", str(out), "--encoder", str(encoder), "--epochs", "1"]
    args += ["--pretrain-minutes", "0.05", "--unlabelled", "2000", "--max-train", "1500"]
    done = module("models.train", *args, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "reusing" not in done.stdout and (encoder / "tokenizer.json").exists()
    files = {p.name for p in out.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "calibration.json"} <= files
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "happy → positive" in card and "| test_weibo |" in card
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    domains = {
        f"{split}_{d}" for split in ("dev", "test") for d in ("reviews", "weibo", "mentions")
    }
    corpora = {f"{split}_{c}" for split in ("dev", "test") for c in ("weibo_social", "car_forum")}
    assert domains | corpora <= set(metrics["metrics"])  # and the other three-class corpora
    three = metrics["metrics"]["dev_mentions"]["three_class"]
    assert {"macro_f1", "neutral_recall", "confusion"} <= set(three)
    assert "| dev_mentions |" in card and "neutral P / R" in card
    (score,) = load_scorer(out).score(["客服态度很差"])
    assert score.model_version == metrics["version"]
    first = json.loads((encoder / "pretraining.json").read_text())
    assert first["steps"] > 0 and metrics["pretraining"] == first

    # Again on the kept encoder: pre-trained a little further, then a cross-corpus check.
    more = ["--more-pretraining", "0.05", "--hold-out", "nlpcc2020"]
    again = module("models.train", *args, *more, timeout=600)
    assert again.returncode == 0 and "reusing the pre-trained encoder" in again.stdout
    total = json.loads((encoder / "pretraining.json").read_text())
    assert total["steps"] > first["steps"] and total["texts"] > first["texts"]
    held = json.loads((out / "metrics.json").read_text(encoding="utf-8"))["metrics"]
    assert held["held_out_nlpcc2020"]["n_polar"] > 5000  # every polar post of that corpus
    assert 0.0 <= held["held_out_nlpcc2020"]["accuracy"] <= 1.0
    assert "| held_out_nlpcc2020 |" in (out / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_more_pretraining_needs_a_kept_encoder(tmp_path: Path) -> None:
    args = ["--out", str(tmp_path / "m"), "--encoder", str(tmp_path / "none")]
    done = module("models.train", *args, "--more-pretraining", "1", timeout=120)
    assert done.returncode == 2 and "give --encoder DIR holding one" in done.stderr
    assert not (tmp_path / "m").exists()
