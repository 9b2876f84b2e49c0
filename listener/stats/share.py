"""The share test: is a window's share of negative mentions above a usual share?"""

from __future__ import annotations

import math

from scipy.stats import binom


def share_surprise(negative: float, total: float, baseline_share: float) -> float:
    """-log10 P(X ≥ negative) for X ~ Binomial(total, baseline_share)."""
    if total <= 0 or negative <= 0:
        return 0.0
    log_p = max(
        float(binom.logsf(math.floor(negative) - 1, math.floor(total), baseline_share)),
        -300 * math.log(10),
    )
    return max(0.0, -log_p / math.log(10))
