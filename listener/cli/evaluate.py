"""Scoring Listener's models on outside data: ``listener score-series`` (a count series,
with the volume-spike rules) and ``listener forecast-thread`` (repost cascades, with the
viral-thread model). ``python -m listener.detectors.score_series`` and
``python -m listener.detectors.forecast_thread`` are aliases of these two."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import NoReturn

import click

from listener.config.types import parse_duration
from listener.detectors.viral_thread import ViralThreadConfig
from listener.evaluation import forecast_line, infer_bucket, read_series, score_series
from listener.stats.cascade import CascadeModel


def _refuse(command: str, message: str) -> NoReturn:
    """One plain line (outside scripts parse it) and exit status 2."""
    print(f"{command}: {message}", file=sys.stderr)
    sys.exit(2)


@click.command("score-series")
@click.argument("source", metavar="IN.csv", type=click.Path(path_type=Path))
@click.argument("target", metavar="OUT.csv", type=click.Path(path_type=Path))
@click.option("--bucket", help="Bucket length, e.g. 5m (default: the most common spacing).")
def score_series_command(source: Path, target: Path, bucket: str | None) -> None:
    """Score a ``timestamp,value`` count series causally with the volume-spike model and the
    incident rules; writes ``timestamp,anomaly_score`` (0..1, 0.5 at the alert threshold)
    for every input row, in input order."""
    try:
        raw, stamps, values = read_series(source)
        step = parse_duration(bucket) if bucket else infer_bucket(sorted(stamps))
        if step.total_seconds() <= 0:
            raise ValueError("--bucket must be positive")
    except (OSError, ValueError) as exc:
        _refuse("score-series", str(exc))
    scores = score_series(stamps, values, step)
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "anomaly_score"])
        writer.writerows(zip(raw, scores, strict=True))


@click.command("forecast-thread")
@click.option("--horizon", default="24h", show_default=True, help="Forecast this far ahead.")
@click.option(
    "--viral",
    type=float,
    default=float(ViralThreadConfig().viral),
    show_default=True,
    help="Reposts at the horizon that make a thread viral.",
)
def forecast_thread_command(horizon: str, viral: float) -> None:
    """Read threads as JSON lines on standard input (``id``, ``t0`` in epoch seconds,
    ``reposts``: seconds after ``t0`` of each repost seen, optional ``followers`` and
    ``observed_until``); write ``{"id", "predicted_24h", "viral"}`` per thread. A line
    that cannot be read is reported on standard error and skipped."""
    try:
        seconds = parse_duration(horizon).total_seconds()
    except ValueError as exc:
        _refuse("forecast-thread", str(exc))
    model = CascadeModel(mean_followers=ViralThreadConfig().mean_followers)
    for lineno, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            result = forecast_line(json.loads(line), model, seconds, viral)
        except (ValueError, KeyError, TypeError) as exc:
            print(f"forecast-thread: line {lineno}: {exc!r}", file=sys.stderr)
            continue
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


def alias(command: click.Command, argv: list[str] | None, prog: str) -> int:
    """Run ``command`` as a ``python -m`` entry point; returns its exit status."""
    try:
        command.main(args=argv, prog_name=prog, standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return 0
