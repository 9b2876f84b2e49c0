"""Score a count series for anomalies, causally, with the daemon's volume-spike rules.

    python -m listener.detectors.score_series IN.csv OUT.csv [--bucket 5m]

IN.csv has a header and rows ``timestamp,value`` (mentions per bucket of one
brand; ISO 8601 or Unix seconds; naive times are UTC). OUT.csv gets
``timestamp,anomaly_score`` for every input row, in input order, with a score in
[0, 1] computed from that row and earlier ones only. The score is the volume
spike detector's (0.5 at its default alert threshold); while an incident is
already open and announced, further signals at the same severity are damped
below 0.5, exactly as the daemon stays quiet about them. Without ``--bucket``
the bucket is the most common spacing of the timestamps.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from listener.config.models import DetectionConfig, IncidentsConfig
from listener.config.types import parse_duration
from listener.detectors.seasonal import assess_rows
from listener.detectors.volume_spike import (
    VolumeSpikeConfig,
    anomaly_score,
    seasonal_config,
    severity_of,
)
from listener.incidents import SeriesIncidents

DAMPED = 0.5
"""Scores of signals the incident already covers are multiplied by this."""


def parse_timestamp(text: str) -> datetime:
    text = text.strip()
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        pass
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def read_series(path: Path) -> tuple[list[str], list[datetime], list[float]]:
    raw, stamps, values = [], [], []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return [], [], []
        for lineno, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip():
                continue
            try:
                stamp, value = parse_timestamp(row[0]), float(row[1])
            except (ValueError, IndexError) as exc:
                raise ValueError(f"{path}:{lineno}: cannot read {row!r}: {exc}") from None
            raw.append(row[0])
            stamps.append(stamp)
            values.append(value if math.isfinite(value) else math.nan)
    return raw, stamps, values


def infer_bucket(stamps: list[datetime]) -> timedelta:
    gaps = Counter(round((b - a).total_seconds()) for a, b in itertools.pairwise(stamps) if b > a)
    return timedelta(seconds=gaps.most_common(1)[0][0]) if gaps else timedelta(minutes=5)


def score_series(
    stamps: list[datetime],
    values: list[float],
    bucket: timedelta,
    config: VolumeSpikeConfig | None = None,
    incidents: IncidentsConfig | None = None,
) -> list[float]:
    """One score per (timestamp, value), computed causally in time order."""
    if not stamps:
        return []
    cfg = config or VolumeSpikeConfig()
    seasonal = seasonal_config(bucket, DetectionConfig().history)
    size = bucket.total_seconds()
    origin = min(stamps)
    index = [int((s - origin).total_seconds() // size) for s in stamps]
    counts = np.full(max(index) + 1, np.nan)
    for i, v in zip(index, values, strict=True):
        if not math.isnan(v):
            counts[i] = v if math.isnan(counts[i]) else counts[i] + v
    rows = np.unique(index)
    assessments = dict(zip(rows.tolist(), assess_rows(counts, seasonal, rows), strict=True))
    timeline = SeriesIncidents(incidents or IncidentsConfig())
    by_bucket: dict[int, float] = {}
    for b in rows.tolist():
        a = assessments[b]
        severity = severity_of(a, cfg.sensitivity, cfg.min_count, cfg.min_ratio)
        notify = timeline.step(origin + b * bucket, severity)
        score = anomaly_score(a, cfg.sensitivity, cfg.min_count)
        by_bucket[b] = score if severity is None or notify else score * DAMPED
    return [round(by_bucket[i], 6) for i in index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m listener.detectors.score_series", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("input", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--bucket", help="bucket length, e.g. 5m (default: inferred)")
    args = parser.parse_args(argv)
    try:
        raw, stamps, values = read_series(args.input)
        bucket = parse_duration(args.bucket) if args.bucket else infer_bucket(sorted(stamps))
        if bucket.total_seconds() <= 0:
            raise ValueError("--bucket must be positive")
    except (OSError, ValueError) as exc:
        print(f"score_series: {exc}", file=sys.stderr)
        return 2
    scores = score_series(stamps, values, bucket)
    with args.output.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "anomaly_score"])
        writer.writerows(zip(raw, scores, strict=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
