from __future__ import annotations

import io
import json
import sys
from datetime import timedelta

import numpy as np
import pytest

from listener.detectors.forecast_thread import main
from listener.stats.cascade import (
    KERNEL_C,
    S0,
    THETA,
    CascadeModel,
    ages_from_snapshots,
    kernel_mass,
    log_error,
)

HOUR, DAY = 3600.0, 86400.0


def sample_delay(u: float) -> float:
    """Inverse of kernel_mass: a repost delay drawn from the memory kernel."""
    head = KERNEL_C * S0
    if u <= head:
        return u / KERNEL_C
    return S0 * (1 - (u - head) * THETA / head) ** (-1 / THETA)


def simulate(rng: np.random.Generator, p: float, root: float, n: float = 200.0) -> list[float]:
    """A branching cascade with the model's own kernel: repost times, sorted."""
    times: list[float] = []
    queue = [(0.0, root)]
    while queue and len(times) < 20_000:
        t, followers = queue.pop()
        for _ in range(rng.poisson(p * followers)):
            s = t + sample_delay(rng.random() * 0.999999)
            if s < 2 * DAY:
                times.append(s)
                queue.append((s, n))
    return sorted(times)


def test_kernel_is_a_distribution() -> None:
    assert kernel_mass(0) == 0 and kernel_mass(S0) == pytest.approx(KERNEL_C * S0)
    assert kernel_mass(1e12) == pytest.approx(1.0, abs=0.01)  # a heavy tail
    assert kernel_mass(HOUR) < kernel_mass(DAY) < 1
    assert sample_delay(kernel_mass(7200)) == pytest.approx(7200)


def test_forecast_beats_no_growth_on_simulated_cascades() -> None:
    rng = np.random.default_rng(0)
    model, errors, naive = CascadeModel(), [], []
    for _ in range(300):
        p, root = rng.uniform(0.001, 0.0045), float(rng.choice([200, 2000, 20000]))
        times = simulate(rng, p, root)
        seen = [t for t in times if t <= HOUR]
        if len(seen) < 5:
            continue
        actual = sum(t <= DAY for t in times)
        predicted = model.forecast(seen, DAY, observed_until=HOUR, root_followers=root).predicted
        errors.append(log_error(predicted, actual))
        naive.append(log_error(len(seen), actual))
    assert len(errors) > 80
    assert np.mean(errors) < 0.5 < np.mean(naive)


def test_silence_lowers_the_forecast() -> None:
    model = CascadeModel()
    burst = [60.0 * i for i in range(1, 31)]
    fresh = model.forecast(burst, DAY, observed_until=1800).predicted
    stale = model.forecast(burst, DAY, observed_until=6 * HOUR).predicted
    assert fresh > stale >= 30


def test_no_reposts_no_growth() -> None:
    assert CascadeModel().forecast([], DAY).predicted == 0


def test_snapshots_become_repost_times() -> None:
    ages = ages_from_snapshots(1000.0, [(1600.0, 6), (2200.0, 6), (2800.0, 9)])
    assert len(ages) == 9
    assert ages[:6] == pytest.approx([50, 150, 250, 350, 450, 550])
    assert all(1200 < a < 1800 for a in ages[6:])


def test_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        {
            "id": "fast",
            "t0": 1_600_000_000,
            "reposts": [20.0 * i for i in range(1, 200)],
            "followers": 50_000,
        },
        {"id": "slow", "t0": 1_600_000_000, "reposts": [600.0, 2400.0, 3000.0]},
        {"id": "absolute", "t0": 1_600_000_000, "reposts": [1_600_000_060, 1_600_000_120]},
        {"id": "bad"},
    ]
    stdin = io.StringIO("\n".join(json.dumps(x) for x in lines) + "\n\n")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["--horizon", "24h", "--viral", "500"]) == 0
    captured = capsys.readouterr()
    out = [json.loads(x) for x in captured.out.splitlines()]
    assert [o["id"] for o in out] == ["fast", "slow", "absolute"]
    assert out[0]["viral"] is True and out[0]["predicted_24h"] > 500
    assert out[1]["viral"] is False and 3 <= out[1]["predicted_24h"] < 500
    assert 2 <= out[2]["predicted_24h"] < 100
    assert "line 4" in captured.err and "t0" in captured.err
    assert timedelta(hours=24)  # the default horizon is the one the output key names
