from __future__ import annotations

import numpy as np
import pytest

from listener.stats.seasonal import SeasonalConfig, assess_rows, upper_tail_log10
from tests.unit.stats.synthetic import PER_DAY, daily

CFG = SeasonalConfig(per_day=PER_DAY)


def surprises(counts: np.ndarray) -> np.ndarray:
    return np.array([a.surprise for a in assess_rows(counts, CFG, np.arange(counts.size))])


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("base", "swing"), [(2.0, 10.0), (50.0, 200.0)])
def test_pure_noise_is_not_surprising(seed: int, base: float, swing: float) -> None:
    # 7 days × 288 buckets × 3 windows ≈ 6,000 tests: a calibrated model stays below ~5
    s = surprises(daily(7, base, swing, seed))
    assert s.max() < 5.5


def test_surprise_is_nan_free_and_zero_without_history() -> None:
    s = surprises(daily(1, 5, 10, seed=9))
    assert np.isfinite(s).all() and s[:8].max() == 0


def test_a_spike_is_surprising_on_its_own_bucket() -> None:
    counts = daily(5, 20, 40, seed=1)
    t = 4 * PER_DAY + 100
    counts[t] += 150
    [a] = assess_rows(counts, CFG, np.array([t]))
    assert a.surprise > 5 and a.window == 1
    assert a.expected == pytest.approx(np.median(counts[t - PER_DAY * 4 : t : PER_DAY]), rel=0.6)


def test_a_slow_build_is_caught_by_a_longer_window() -> None:
    counts = daily(5, 20, 40, seed=2, size=50)  # noise CV ≈ 15-25% per bucket
    start = 4 * PER_DAY + 60
    build = np.arange(1, 9) * 10.0  # +10 more each bucket: doubling within half an hour
    counts[start : start + build.size] += build
    s = surprises(counts)
    peak = start + int(np.argmax(s[start : start + build.size]))
    assert s[peak] >= 5 and s[start] < 2  # no single early bucket is extreme
    [a] = assess_rows(counts, CFG, np.array([peak]))
    assert a.window > 1


def test_a_quiet_series_wakes_up() -> None:
    counts = np.zeros(PER_DAY)
    counts[::37] = 1  # a mention now and then
    counts[-1] = 12
    [a] = assess_rows(counts, CFG, np.array([PER_DAY - 1]))
    assert a.surprise > 5


def test_zero_against_zero_is_nothing() -> None:
    counts = np.zeros(PER_DAY * 3)
    assert surprises(counts).max() == 0


def test_gaps_are_not_zeros() -> None:
    counts = daily(4, 30, 60, seed=3)
    gap = slice(3 * PER_DAY, 3 * PER_DAY + 36)  # three hours without data (failed crawls)
    counts[gap] = np.nan
    s = surprises(counts)
    assert s[gap].max() == 0
    assert s[3 * PER_DAY + 36 : 3 * PER_DAY + 60].max() < 5  # recovery is not a spike


def test_scores_are_causal() -> None:
    counts = daily(3, 10, 30, seed=4)
    before = surprises(counts)
    changed = counts.copy()
    changed[PER_DAY * 2 + 10 :] *= 5
    after = surprises(changed)
    assert np.array_equal(before[: PER_DAY * 2 + 10], after[: PER_DAY * 2 + 10])


def test_tail_probability_matches_poisson_limit() -> None:
    # P(X >= 10 | Poisson(2)) = 4.6e-5
    log_p = upper_tail_log10(np.array([10.0]), np.array([2.0]), np.array([1e-12]))
    assert log_p[0] == pytest.approx(np.log10(4.6498e-5), abs=0.01)


def test_extreme_counts_stay_finite() -> None:
    log_p = upper_tail_log10(np.array([5000.0]), np.array([0.2]), np.array([0.02]))
    assert log_p[0] == -300


def test_a_quiet_brand_trickle_is_news_but_its_usual_trickle_is_not() -> None:
    rng = np.random.default_rng(11)
    counts = rng.poisson(0.05, PER_DAY * 4).astype(float)  # about one mention in 100 minutes
    usual = surprises(counts)
    assert usual.max() < 5
    counts[-6:] = [1, 2, 0, 1, 2, 1]  # seven in half an hour
    [a] = assess_rows(counts, CFG, np.array([counts.size - 1]))
    assert a.surprise > 5 and a.window > 1
    assert a.expected < 1
