"""Evaluation entry points on data from outside the daemon: a count series scored with the
volume-spike rules, repost cascades forecast with the viral-thread model.

``listener score-series`` and ``listener forecast-thread`` (``listener.cli.evaluate``) read
files and call these; outside benchmarks (NAB, SEISMIC) run them on their own data.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from listener.config.models import DetectionConfig, IncidentsConfig
from listener.detectors.volume_spike import VolumeSpikeConfig
from listener.incidents import SeriesIncidents
from listener.stats.cascade import CascadeModel
from listener.stats.seasonal import assess_rows
from listener.stats.spikes import anomaly_score, seasonal_config, severity_of

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


def forecast_line(
    record: dict[str, Any], model: CascadeModel, horizon: float, viral: float
) -> dict[str, Any]:
    t0 = float(record["t0"])
    reposts = [float(x) for x in record.get("reposts") or []]
    if reposts and t0 > 1e8 and min(reposts) >= t0:  # absolute times given: make them ages
        reposts = [x - t0 for x in reposts]
    observed = record.get("observed_until")
    followers = record.get("followers")
    result = model.forecast(
        reposts,
        horizon,
        observed_until=float(observed) if observed is not None else None,
        root_followers=float(followers) if followers is not None else None,
    )
    return {
        "id": record["id"],
        "predicted_24h": round(result.predicted, 3),
        "viral": result.predicted >= viral,
    }
