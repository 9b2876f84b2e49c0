"""Forecast each thread's reposts at a horizon and flag the ones that will go viral.

    python -m listener.detectors.forecast_thread [--horizon 24h] [--viral 500] < threads.jsonl

Each input line: ``{"id": ..., "t0": <post time, epoch seconds>, "reposts": [seconds after
t0 of every repost seen so far], "followers": <optional, the author's>,
"observed_until": <optional, seconds after t0 the thread was watched to>}``.
Each output line: ``{"id": ..., "predicted_24h": <expected reposts at the horizon>,
"viral": true|false}``, with the viral-thread detector's model and threshold. A
line that cannot be read is reported on stderr and skipped; the exit status is 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from listener.config.types import parse_duration
from listener.detectors.cascade import CascadeModel
from listener.detectors.viral_thread import ViralThreadConfig


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


def main(argv: list[str] | None = None) -> int:
    defaults = ViralThreadConfig()
    parser = argparse.ArgumentParser(
        prog="python -m listener.detectors.forecast_thread", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--horizon", default="24h")
    parser.add_argument(
        "--viral",
        type=float,
        default=float(defaults.viral),
        help="reposts at the horizon that make a thread viral",
    )
    args = parser.parse_args(argv)
    try:
        horizon = parse_duration(args.horizon).total_seconds()
    except ValueError as exc:
        parser.error(str(exc))
    model = CascadeModel(mean_followers=defaults.mean_followers)
    for lineno, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            out = forecast_line(record, model, horizon, args.viral)
        except (ValueError, KeyError, TypeError) as exc:
            print(f"forecast_thread: line {lineno}: {exc!r}", file=sys.stderr)
            continue
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
