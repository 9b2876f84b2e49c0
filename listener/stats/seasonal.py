"""How unusual is this bucket's count? A causal, robust, seasonal count model.

For bucket ``t`` of a regular count series, using only buckets before ``t``:

- **seasonal level**: the median of the counts at the same time of day (±1
  bucket) on each of the previous ``days`` days — medians ignore past spikes;
- **recent level factor**: how the last ``recent`` buckets compare with what the
  seasonal level predicted for them (a brand having a busier week), damped
  towards 1 and clipped, so a surge in progress cannot hide itself;
- with less than ``min_days`` of history, the median of the recent buckets alone
  (the detector works after a few hours of history);
- **spread**: a negative binomial around the expected count, its dispersion
  estimated from the median absolute deviation of the same samples and never
  below ``min_dispersion`` — real mention counts are overdispersed, and a
  Poisson model would call every busy hour a crisis.

The surprise of a window of the last ``w`` buckets (w in ``windows``) is
``-log10`` of the upper-tail probability of its total; the largest over the
windows (Bonferroni-corrected) catches both sudden surges and slow builds.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import nbinom

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SeasonalConfig:
    per_day: int
    """Buckets per day (288 for 5-minute buckets)."""
    days: int = 7
    min_days: int = 2
    recent: int = 12
    windows: tuple[int, ...] = (1, 3, 6, 12)
    min_dispersion: float = 0.02
    """Variance ≥ mean + min_dispersion·mean²: ±14% is ordinary noise at any volume."""
    floor: float = 0.02
    """The smallest expected count per bucket; ``min_count`` rules keep 0 vs 2 quiet."""
    recent_level_variance: float = 0.25
    """Uncertainty of a baseline read off the last ``recent`` buckets only (a daily ramp
    moves it); a seasonal baseline's comes from its sample size."""
    cold_floor: float = 0.2
    """The smallest expectation before a seasonal baseline exists (the first day or two)."""
    min_history: int = 6
    """Buckets of history needed before any bucket can be called surprising."""
    pool: int = 0
    """Past buckets whose residuals estimate the dispersion; 0 means two days."""
    pool_every: int = 12
    """Re-estimate the pooled dispersion every this many buckets."""


@dataclass(frozen=True)
class Expectations:
    """Per bucket, from the buckets before it: expected count, dispersion, history used."""

    mean: FloatArray
    dispersion: FloatArray
    """Bucket-to-bucket noise: variance = μ + φμ²."""
    level: FloatArray
    """Relative variance of the estimated mean itself; shared by every bucket of a window."""
    history: NDArray[np.int64]


@dataclass(frozen=True)
class Assessment:
    count: float
    expected: float
    dispersion: float
    surprise: float
    """-log10 of the upper-tail probability, Bonferroni-corrected; 0 when unremarkable."""
    window: int
    """How many buckets the most surprising window spans."""
    history: int
    """Buckets of history the expectation used."""


def _row_median(matrix: FloatArray) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows (gaps) give NaN
        return np.asarray(np.nanmedian(matrix, axis=1), dtype=np.float64)


def _row_mean(matrix: FloatArray) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmean(matrix, axis=1), dtype=np.float64)


def _lagged(values: FloatArray, lags: list[int], rows: NDArray[np.int64]) -> FloatArray:
    """matrix[r, j] = values[rows[r] - lags[j]], NaN where that index is before the start."""
    index = rows[:, None] - np.asarray(lags)[None, :]
    padded = np.concatenate([[np.nan], values])
    return padded[np.where(index >= 0, index + 1, 0)]


def _seasonal(
    counts: FloatArray,
    rows: NDArray[np.int64],
    cfg: SeasonalConfig,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(seasonal median, MAD·1.4826, sample size) per row; NaN with too few past days."""
    lags = [k * cfg.per_day - j for k in range(1, cfg.days + 1) for j in (-1, 0, 1)]
    lags = [lag for lag in lags if lag > 0]
    sample = _lagged(counts, lags, rows)
    size = np.isfinite(sample).sum(axis=1).astype(float)
    enough = size >= 3 * cfg.min_days - 1
    median = _row_median(sample)
    mad = _row_median(np.abs(sample - median[:, None])) * 1.4826
    return np.where(enough, median, np.nan), np.where(enough, mad, np.nan), size


def _seasonal_mean(counts: FloatArray, rows: NDArray[np.int64], cfg: SeasonalConfig) -> FloatArray:
    """Mean of the same-time-of-day samples, each capped at 3 above their median so a
    past spike cannot lift it: the efficient estimator where counts are small."""
    lags = [k * cfg.per_day - j for k in range(1, cfg.days + 1) for j in (-1, 0, 1)]
    sample = _lagged(counts, [lag for lag in lags if lag > 0], rows)
    cap = _row_median(sample) + 3.0
    return _row_mean(np.minimum(sample, cap[:, None]))


def _dispersion(
    spread: FloatArray, mean: FloatArray, n: FloatArray, cfg: SeasonalConfig
) -> FloatArray:
    """NB dispersion φ (variance = μ + φμ²) from a robust spread measured on ``n`` samples.

    The predictive variance adds the uncertainty of the median itself (≈ π/2n of
    the sample variance) and the noise of a MAD from few samples.
    """
    inflated = spread * spread * (1.0 + 2.0 / np.maximum(n, 1.0))  # a MAD of few samples
    excess = np.maximum(0.0, inflated - mean)
    phi = np.where(mean > 0, excess / np.maximum(mean, 1e-9) ** 2, 0.25)
    return np.asarray(np.maximum(cfg.min_dispersion, np.nan_to_num(phi, nan=0.25)), np.float64)


_CHI2_1_MEDIAN = 0.4549


def pooled_dispersion(residual: FloatArray, mean: FloatArray, floor: float) -> float:
    """φ such that the median squared Pearson residual equals χ²₁'s median.

    Medians make it robust to the spikes we are looking for; NaN entries are gaps.
    """
    ok = np.isfinite(residual) & np.isfinite(mean) & (mean > 0)
    if ok.sum() < 24:
        return math.nan
    r2, mu = residual[ok] ** 2, mean[ok]
    lo, hi = floor, 10.0
    if np.median(r2 / (mu + lo * mu * mu)) <= _CHI2_1_MEDIAN:
        return lo
    for _ in range(40):
        mid = math.sqrt(lo * hi)
        if np.median(r2 / (mu + mid * mu * mu)) > _CHI2_1_MEDIAN:
            lo = mid
        else:
            hi = mid
    return hi


def _pooled(
    counts: FloatArray, mean: FloatArray, rows: NDArray[np.int64], cfg: SeasonalConfig
) -> FloatArray:
    """The pooled dispersion in force at each row (estimated from earlier rows only)."""
    pool = cfg.pool or 2 * cfg.per_day
    out = np.full(rows.size, np.nan)
    cache: dict[int, float] = {}
    residual = counts - mean
    for i, r in enumerate(rows):
        anchor = int(r) - int(r) % cfg.pool_every
        if anchor not in cache:
            start = max(0, anchor - pool)
            cache[anchor] = pooled_dispersion(
                residual[start:anchor], mean[start:anchor], cfg.min_dispersion
            )
        out[i] = cache[anchor]
    return out


def expectations(
    counts: FloatArray,
    cfg: SeasonalConfig,
    rows: NDArray[np.int64] | None = None,
    pooled: float | None = None,
) -> Expectations:
    """Causal expectations for ``rows`` (default: every bucket) of a count series.

    NaN counts are gaps (a failed crawl, a missing row): they are left out of
    every baseline rather than read as zero. The dispersion is pooled over the
    residuals of the previous ``pool`` buckets when there are enough of them;
    a caller that already knows it (it changes slowly) passes ``pooled``.
    """
    n = counts.size
    rows = np.arange(n) if rows is None else rows
    if pooled is not None:
        local = _local_expectations(counts, cfg, rows)
        dispersion = (
            np.full(rows.size, max(pooled, cfg.min_dispersion))
            if math.isfinite(pooled)
            else local.dispersion
        )
        return Expectations(
            mean=local.mean, dispersion=dispersion, level=local.level, history=local.history
        )
    pool = cfg.pool or 2 * cfg.per_day
    first = max(0, int(rows.min()) - pool) if rows.size else 0
    context = np.arange(first, n if rows.size == 0 else int(rows.max()) + 1)
    local = _local_expectations(counts, cfg, context)
    mean_all = np.full(n, np.nan)
    mean_all[context] = local.mean
    pooled_rows = _pooled(counts, mean_all, rows, cfg)
    position = rows - first
    dispersion = np.where(
        np.isfinite(pooled_rows),
        np.maximum(pooled_rows, cfg.min_dispersion),
        local.dispersion[position],
    )
    return Expectations(
        mean=local.mean[position],
        dispersion=dispersion,
        level=local.level[position],
        history=local.history[position],
    )


def _long_run_rate(
    counts: FloatArray, rows: NDArray[np.int64], span: int
) -> tuple[FloatArray, FloatArray]:
    """(mean count per bucket, buckets with data) over the ``span`` buckets before each row,
    with a half-mention prior so that a silent history is a small rate, not zero."""
    filled = np.concatenate([[0.0], np.cumsum(np.nan_to_num(counts, nan=0.0))])
    known = np.concatenate([[0.0], np.cumsum(np.isfinite(counts))])
    start = np.maximum(0, rows - span)
    total = filled[rows] - filled[start]
    buckets = known[rows] - known[start]
    return (total + 0.5) / (buckets + 1.0), buckets


def _local_expectations(
    counts: FloatArray, cfg: SeasonalConfig, rows: NDArray[np.int64]
) -> Expectations:
    n = counts.size
    # the recent-level factor needs the seasonal level of the `recent` buckets before each row
    reach = max(cfg.windows) + cfg.recent + 1
    span = np.unique(np.concatenate([rows[:, None] - np.arange(reach)[None, :]]))
    span = span[span >= 0]
    seasonal_span, _, _ = _seasonal(counts, span, cfg)
    seasonal_all = np.full(n, np.nan)
    seasonal_all[span] = seasonal_span
    seasonal, spread, seasonal_n = _seasonal(counts, rows, cfg)
    # the recent level skips the buckets a window can span, so a surge cannot mask itself
    gap = max(cfg.windows)
    recent_lags = list(range(gap + 1, gap + cfg.recent + 1))
    recent = _lagged(counts, recent_lags, rows)
    recent_level = _row_median(recent)
    predicted = _row_median(_lagged(seasonal_all, recent_lags, rows))
    ratio = np.maximum(recent_level, cfg.floor) / np.where(predicted > 0, predicted, np.nan)
    factor = np.clip(np.sqrt(np.nan_to_num(ratio, nan=1.0)), 0.5, 2.0)
    has_seasonal = np.isfinite(seasonal)
    recent_n = np.isfinite(recent).sum(axis=1)
    # no seasonal baseline and under 3 recent buckets: no basis for an expectation (NaN)
    cold = np.maximum(np.maximum(recent_level, _row_mean(recent)), cfg.cold_floor)
    fallback = np.where(recent_n >= 3, cold, np.nan)
    mean = np.where(has_seasonal, np.maximum(cfg.floor, seasonal * factor), fallback)
    recent_spread = _row_median(np.abs(recent - recent_level[:, None]))
    dispersion = np.where(
        has_seasonal,
        _dispersion(spread, np.maximum(seasonal, cfg.floor), seasonal_n, cfg),
        _dispersion(recent_spread * 1.4826, mean, recent_n.astype(float), cfg),
    )
    # the median of n samples is itself uncertain: ≈ π/2n of one sample's relative variance
    seasonal_level = (
        1.5708 / np.maximum(seasonal_n, 1.0) * (1.0 / np.maximum(mean, cfg.floor) + dispersion)
    )
    level = np.where(
        has_seasonal,
        seasonal_level,
        np.maximum(cfg.recent_level_variance, 1.0 / np.maximum(1, recent_n)),
    )
    # sparse series (a quiet brand): a median of mostly-zero counts says nothing; the long-run
    # rate over the whole history (thousands of buckets) is the expectation, and a precise one
    # ... unless this time of day is busier than the average (a sparse daily cycle)
    rate, buckets = _long_run_rate(counts, rows, cfg.days * cfg.per_day)
    small = np.where(has_seasonal, seasonal, np.nan_to_num(recent_level, nan=np.inf)) < 1.0
    sparse = small & (buckets >= cfg.per_day / 4)
    daily = np.where(has_seasonal, np.nan_to_num(_seasonal_mean(counts, rows, cfg)), 0.0)
    by_time = daily > rate
    sparse_mean = np.maximum(np.maximum(rate, daily), cfg.floor)
    sparse_level = np.where(
        by_time,
        1.0 / (sparse_mean * np.maximum(seasonal_n, 1.0)),
        1.0 / (sparse_mean * np.maximum(buckets, 1.0)),
    )
    mean = np.where(sparse, sparse_mean, mean)
    dispersion = np.where(sparse, np.minimum(dispersion, 0.25), dispersion)
    level = np.where(sparse, sparse_level, level)
    history = buckets.astype(np.int64)
    return Expectations(mean=mean, dispersion=dispersion, level=level, history=history)


def upper_tail_log10(count: FloatArray, mean: FloatArray, dispersion: FloatArray) -> FloatArray:
    """log10 P(X ≥ count) for X ~ NB(mean, dispersion), elementwise."""
    size = 1.0 / np.maximum(dispersion, 1e-9)
    k = np.floor(count) - 1
    # tails beyond 1e-300 underflow to -inf; everything that rare is equally surprising
    log_sf = np.maximum(nbinom.logsf(k, size, size / (size + mean)), -300 * math.log(10))
    return np.where(count > 0, log_sf / math.log(10), 0.0)


def pooled_at(counts: FloatArray, cfg: SeasonalConfig, row: int) -> float:
    """The pooled dispersion in force at ``row`` (NaN when there is too little history)."""
    return (
        float(expectations(counts, cfg, np.array([row])).dispersion[0])
        if _has_pool(counts, cfg, row)
        else math.nan
    )


def _has_pool(counts: FloatArray, cfg: SeasonalConfig, row: int) -> bool:
    start = max(0, row - row % cfg.pool_every - (cfg.pool or 2 * cfg.per_day))
    return int(np.isfinite(counts[start:row]).sum()) >= 24


def assess_rows(
    counts: FloatArray,
    cfg: SeasonalConfig,
    rows: NDArray[np.int64],
    partial: float = 1.0,
    pooled: float | None = None,
) -> list[Assessment]:
    """The most surprising window ending at each of ``rows`` (windows: ``cfg.windows``).

    ``partial`` is the elapsed fraction of the last bucket when it is still filling:
    its count is compared with that fraction of a full bucket's expectation.
    """
    span = np.unique((rows[:, None] - np.arange(max(cfg.windows))[None, :]).ravel())
    span = span[span >= 0]
    exp = expectations(counts, cfg, span, pooled)
    mean = np.full(counts.size, np.nan)
    dispersion_all = np.full(counts.size, np.nan)
    level_all = np.full(counts.size, np.nan)
    history = np.zeros(counts.size, dtype=np.int64)
    mean[span], dispersion_all[span], history[span] = exp.mean, exp.dispersion, exp.history
    level_all[span] = exp.level
    mean[-1] *= min(1.0, max(partial, 0.05))
    correction = math.log10(len(cfg.windows))
    best_surprise = np.full(rows.size, -1.0)
    best: list[tuple[float, float, float, int]] = [(0.0, 0.0, 0.0, 1)] * rows.size
    known = history[rows] >= cfg.min_history
    for w in cfg.windows:
        lags = list(range(w))
        observed = _lagged(counts, lags, rows).sum(axis=1)
        total_mean = _lagged(mean, lags, rows).sum(axis=1)
        # noise is independent between buckets, an error in the level is shared by all:
        # Var(sum) = Σμ + Σφμ² + v(Σμ)²  →  an effective dispersion for the window total
        means = _lagged(mean, lags, rows)
        noise = np.nansum(_lagged(dispersion_all, lags, rows) * means**2, axis=1)
        shared = _row_mean(_lagged(level_all, lags, rows)) * total_mean**2
        dispersion = (noise + shared) / np.maximum(total_mean, 1e-9) ** 2
        valid = np.isfinite(observed) & np.isfinite(total_mean)
        log_tail = upper_tail_log10(
            np.nan_to_num(observed),
            np.nan_to_num(total_mean, nan=1.0),
            np.nan_to_num(dispersion, nan=1.0),
        )
        surprise = np.where(
            valid & known & (observed > total_mean), np.maximum(0.0, -log_tail - correction), 0.0
        )
        for r in range(rows.size):
            if w == 1 or (valid[r] and surprise[r] > best_surprise[r]):
                best_surprise[r] = surprise[r]
                best[r] = (
                    float(observed[r]) if valid[r] else math.nan,
                    float(total_mean[r]),
                    float(dispersion[r]),
                    w,
                )
    return [
        Assessment(
            count=c,
            expected=m,
            dispersion=d,
            surprise=float(best_surprise[r]),
            window=w,
            history=int(history[rows[r]]),
        )
        for r, (c, m, d, w) in enumerate(best)
    ]
