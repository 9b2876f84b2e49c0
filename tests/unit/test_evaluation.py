from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from listener.detectors.score_series import main
from listener.evaluation import score_series
from tests.unit.stats.synthetic import PER_DAY, daily

START = datetime(2015, 2, 26, tzinfo=UTC)


def write(path: Path, counts: np.ndarray, step: timedelta = timedelta(minutes=5)) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "value"])
        for i, value in enumerate(counts):
            writer.writerow([(START + i * step).strftime("%Y-%m-%d %H:%M:%S"), int(value)])
    return path


def read_scores(path: Path) -> tuple[list[str], np.ndarray]:
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["timestamp", "anomaly_score"]
    return [r[0] for r in rows[1:]], np.array([float(r[1]) for r in rows[1:]])


def test_cli_scores_every_row_in_order(tmp_path: Path) -> None:
    counts = daily(4, 20, 40, seed=5)
    counts[3 * PER_DAY + 50] += 200
    source = write(tmp_path / "in.csv", counts)
    assert main([str(source), str(tmp_path / "out.csv")]) == 0
    stamps, scores = read_scores(tmp_path / "out.csv")
    with source.open(newline="") as fh:
        assert stamps == [r[0] for r in list(csv.reader(fh))[1:]]
    assert ((scores >= 0) & (scores <= 1)).all()
    assert scores[3 * PER_DAY + 50] > 0.5
    assert (scores >= 0.5).sum() <= 3


def test_an_open_incident_is_not_announced_again(tmp_path: Path) -> None:
    counts = daily(4, 20, 40, seed=6)
    t = 3 * PER_DAY + 50
    counts[t : t + 12] += 150  # one hour of sustained surge: one incident
    stamps = [START + timedelta(minutes=5 * i) for i in range(counts.size)]
    scores = np.array(score_series(stamps, list(counts), timedelta(minutes=5)))
    announced = np.flatnonzero(scores[t : t + 12] >= 0.5)
    assert announced[0] == 0  # the surge is announced on its first bucket,
    assert len(announced) <= 3  # and again only when its severity rises (P3 → P2 → P1)
    assert (scores[t + 12 :] < 0.5).all()


def test_bucket_is_inferred_and_hourly_series_work(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    hours = np.arange(24 * 14)
    counts = rng.poisson(100 + 80 * np.sin(np.pi * hours / 24) ** 2).astype(float)
    counts[24 * 10 + 5] += 400
    source = write(tmp_path / "in.csv", counts, step=timedelta(hours=1))
    assert main([str(source), str(tmp_path / "out.csv")]) == 0
    _, scores = read_scores(tmp_path / "out.csv")
    assert int(np.argmax(scores)) == 24 * 10 + 5


def test_irregular_rows_and_epoch_timestamps(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("ts,count\n1424908800,3\n1424909100,4\n1424909100,1\n1424910000,2\n")
    assert main([str(source), str(tmp_path / "out.csv"), "--bucket", "5m"]) == 0
    stamps, scores = read_scores(tmp_path / "out.csv")
    assert len(stamps) == 4 and (scores == 0).all()


@pytest.mark.parametrize(
    "body", ["timestamp,value\nnot-a-time,3\n", "timestamp,value\n2015-02-26,x\n"]
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(body)
    assert main([str(source), str(tmp_path / "out.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("score-series: ") and "in.csv:2" in err
