"""How early could *any* count test see the generated slow builds?

    python -m bench.slow_build_bound [--seed 1]

For every slow-build event of the seeded scenario, an oracle test that knows the
brand's true seasonal baseline (the mean of the same buckets on the three previous
days) and the event's onset is run on the brand's negative-mention counts: at each
bucket after the onset it takes the most surprising window (1 to 24 buckets,
Poisson tail, Bonferroni over the windows) and reports the first bucket whose
surprise reaches the threshold. It has no false-alarm cost to pay on other days, so
its delays are a lower bound for a detector at the same threshold. Compare them
with the slow-build delays printed by ``bench.early_warning``.
"""

from __future__ import annotations

import argparse
import math
import statistics
from datetime import datetime, timedelta

import numpy as np
from scipy.stats import poisson

from bench.scenarios.generate import generate

BUCKET = timedelta(minutes=5)
DAY = 288
WINDOWS = (1, 3, 6, 12, 24)


def first_alert(neg: np.ndarray, onset: int, threshold: float) -> int | None:
    for k in range(48):
        i = onset + k
        best = 0.0
        for w in WINDOWS:
            observed = neg[i - w + 1 : i + 1].sum()
            past = [neg[i - w + 1 - d * DAY : i + 1 - d * DAY].sum() for d in (1, 2, 3)]
            expected = max(float(np.mean(past)), 0.5)
            surprise = -poisson.logsf(observed - 1, expected) / math.log(10)
            best = max(best, surprise - math.log10(len(WINDOWS)))
        if best >= threshold:
            return k * 5
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    scenario = generate(args.seed, args.days)
    t0 = min(m.published_at for m in scenario.mentions)
    size = int((max(m.published_at for m in scenario.mentions) - t0) / BUCKET) + 1
    negative: dict[str, np.ndarray] = {}
    total: dict[str, np.ndarray] = {}
    for m in scenario.mentions:
        index = int((m.published_at - t0) / BUCKET)
        for brand in m.brands:
            total.setdefault(brand, np.zeros(size))[index] += 1
            if m.sentiment is not None and m.sentiment.label == "negative":
                negative.setdefault(brand, np.zeros(size))[index] += 1
    print(f"{'brand':<8} {'mentions/5min':>13} {'negative/5min':>13} {'thr 5':>7} {'thr 3':>7}")
    delays: dict[float, list[float]] = {5.0: [], 3.0: []}
    for event in scenario.events:
        if event["kind"] != "slow_build":
            continue
        raw = event["onset"]
        onset_at = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
        onset = int((onset_at - t0) / BUCKET)
        brand = str(event["brand"])
        neg = negative.get(brand, np.zeros(size))
        row = []
        for threshold, found_delays in delays.items():
            found = first_alert(neg, onset, threshold)
            found_delays.append(float(found) if found is not None else 240.0)
            row.append("-" if found is None else f"{found}")
        level = total[brand][onset - 12 : onset].mean()
        print(
            f"{brand:<8} {level:>13.1f} {neg[onset - 12 : onset].mean():>13.2f} "
            f"{row[0]:>7} {row[1]:>7}"
        )
    for threshold, values in delays.items():
        print(
            f"oracle median delay at threshold {threshold:g}: {statistics.median(values):.0f} min"
        )


if __name__ == "__main__":
    main()
