"""Early-warning benchmark: our detectors vs an ElastAlert spike rule on generated scenarios.

    python -m bench.early_warning [--seed 1] [--days 7] [--step 2m]

Generates a seeded scenario (``bench/scenarios``), replays it through the real
pipeline with the default detectors (``bench/scenarios/listener.yml``), runs the
ElastAlert-style baseline on the same stream, and prints both side by side with
the issue's targets: ≥ 95% of crisis events caught; median delay ≤ 2 buckets
(10 min) for sudden surges and ≤ 30 min for slow builds; ≤ 1 false alert per
brand-week; no incident on positive events. Delays are measured at ``--step``
resolution.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.elastalert_spike import spike_alerts
from bench.scenarios.generate import generate
from listener.backtest import DetectorScore, LabelledEvent, evaluate, run_backtest
from listener.config.loader import load_config
from listener.config.types import parse_duration
from listener.logs import configure_logging

CONFIG = Path(__file__).parent / "scenarios" / "listener.yml"


def fmt(value: object) -> str:
    return "-" if value is None else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--step", default="2m")
    parser.add_argument("--warmup", default="2d")
    args = parser.parse_args()
    configure_logging("error")
    step, warmup = parse_duration(args.step), parse_duration(args.warmup)
    config = load_config(CONFIG)
    brands = [b.name for b in config.brands]

    started = time.perf_counter()
    scenario = generate(args.seed, args.days)
    events = [LabelledEvent.model_validate(e) for e in scenario.events]
    observations = scenario.mentions
    print(
        f"scenario seed={args.seed}: {len(observations):,} observations, "
        f"{sum(e.crisis for e in events)} crisis events, "
        f"{sum(not e.crisis for e in events)} non-crisis events, {len(brands)} brands, "
        f"{args.days} days ({time.perf_counter() - started:.1f}s)"
    )

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        ours, _ = run_backtest(config, observations, events, step, warmup, Path(folder))
    passes = int((observations[-1].collected_at - observations[0].collected_at) / step)
    took = time.perf_counter() - started
    print(
        f"listener: {passes:,} detection passes in {took:.0f}s "
        f"({1000 * took / max(passes, 1):.0f} ms per pass incl. indexing)"
    )

    start = observations[0].collected_at + warmup
    end = observations[-1].collected_at
    baseline_alerts = [a for a in spike_alerts(observations, brands, step) if start <= a.at <= end]
    baseline = evaluate(baseline_alerts, events, brands, start, end)

    def by_kind(kind: str) -> tuple[str, str, Callable[[DetectorScore], str]]:
        def get(r: DetectorScore) -> str:
            delays, caught = r.median_delay_by_kind_min, r.caught_by_kind
            return f"{fmt(delays.get(kind))} [{caught.get(kind, '-')}]"

        return f"  {kind} (min) [caught]", kind, get

    rows: list[tuple[str, str, Callable[[DetectorScore], str]]] = [
        ("crisis events caught", "", lambda r: f"{r.caught}/{r.events}"),
        ("recall", "", lambda r: fmt(r.recall)),
        ("median delay, all (min)", "", lambda r: fmt(r.median_delay_min)),
        *[by_kind(kind) for kind in sorted({e.kind for e in events if e.crisis})],
        ("false alerts per brand-week", "", lambda r: fmt(r.false_alerts_per_brand_week)),
        (
            "alerts on positive/campaign/holiday",
            "",
            lambda r: fmt(r.alerts_on_non_crisis_events),
        ),
        ("precision", "", lambda r: fmt(r.precision)),
        ("alerts", "", lambda r: fmt(r.alerts)),
    ]
    print(f"\n{'':38}{'listener':>18}{'ElastAlert spike':>20}")
    for label, _, get in rows:
        print(f"{label:38}{get(ours.overall):>18}{get(baseline.overall):>20}")

    print("\nper detector (alerts whose incident the detector contributed to):")
    for name, row in ours.detectors.items():
        print(
            f"  {name:20} caught {row.caught}/{row.events}, median delay "
            f"{fmt(row.median_delay_min)} min, {row.alerts} alerts, "
            f"false/brand-week {row.false_alerts_per_brand_week}"
        )

    o = ours.overall
    delays = o.median_delay_by_kind_min
    print("\ntargets:")
    checks = [
        ("≥ 95% of crisis events caught", (o.recall or 0) >= 0.95),
        (
            "sudden surge median delay ≤ 10 min",
            _within(delays.get("sudden_surge"), 10),
        ),
        (
            "slow build median delay ≤ 30 min",
            _within(delays.get("slow_build"), 30),
        ),
        ("≤ 1 false alert per brand-week", o.false_alerts_per_brand_week <= 1),
        ("no incident on positive events", o.alerts_on_non_crisis_events == 0),
        (
            "beats the baseline (recall, delay, false alerts)",
            (o.recall or 0) >= (baseline.overall.recall or 0)
            and o.false_alerts_per_brand_week <= baseline.overall.false_alerts_per_brand_week,
        ),
    ]
    for text, ok in checks:
        print(f"  [{'x' if ok else ' '}] {text}")


def _within(delay: float | None, limit: float) -> bool:
    return delay is not None and delay <= limit


if __name__ == "__main__":
    main()
