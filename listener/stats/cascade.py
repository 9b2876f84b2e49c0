"""How big will a thread get? A self-exciting cascade model that needs no training.

After SEISMIC (Zhao et al., KDD 2015): every post (the original and each
repost) exposes its author's followers to the thread, and those followers
repost at a rate that decays with the post's age following a power-law memory
kernel (constant for ``s0`` seconds, then ``(s/s0)^-(1+θ)``; θ = 0.242 and
s0 = 5 minutes were measured on real cascades). The thread's infectiousness
``p`` is estimated from what was observed: reposts so far divided by the
exposure accumulated so far, shrunk towards a typical subcritical thread while
that exposure is small (a thread two minutes old says little). The forecast
adds the reposts still to come from the exposure already there, and the further
generations those will trigger before the horizon (a branching factor ``p·n*``
applied to the part of the kernel that fits in the remaining time, kept
subcritical).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

S0 = 300.0
THETA = 0.242
KERNEL_C = THETA / (S0 * (1.0 + THETA))
MAX_BRANCHING = 0.9


def kernel_mass(age: float) -> float:
    """Share of a post's eventual direct reposts that happen within ``age`` seconds."""
    if age <= 0:
        return 0.0
    if age <= S0:
        return KERNEL_C * age
    return KERNEL_C * S0 + KERNEL_C * S0 / THETA * (1.0 - float((age / S0) ** -THETA))


@dataclass(frozen=True)
class CascadeForecast:
    observed: int
    predicted: float
    infectiousness: float
    branching: float


@dataclass(frozen=True)
class CascadeModel:
    mean_followers: float = 200.0
    """n*: followers of a typical reposter; only its ratio to the root's followers matters."""

    def forecast(
        self,
        repost_ages: Sequence[float],
        horizon: float,
        observed_until: float | None = None,
        root_followers: float | None = None,
    ) -> CascadeForecast:
        """Expected reposts by ``horizon`` seconds after the original post.

        ``repost_ages``: seconds after the original post of every repost seen so
        far; ``observed_until``: how long the thread was watched (default: the
        last repost) — a long silence since then lowers the forecast.
        """
        ages = sorted(a for a in repost_ages if a >= 0)
        watched = max([observed_until or 0.0, *(ages[-1:] or [0.0])])
        observed = len(ages)
        if observed == 0 or watched <= 0:
            return CascadeForecast(observed, float(observed), 0.0, 0.0)
        n_star = self.mean_followers
        d_root = n_star if root_followers is None else max(1.0, float(root_followers))
        exposure = d_root * kernel_mass(watched) + n_star * sum(
            kernel_mass(watched - a) for a in ages
        )
        # shrink towards a typical subcritical thread (branching 0.5) while exposure is small
        prior_exposure = 2.0 * n_star
        p = (observed + 1.0) / (exposure + prior_exposure)
        if horizon <= watched:
            return CascadeForecast(observed, float(observed), p, p * n_star)
        to_come = d_root * (kernel_mass(horizon) - kernel_mass(watched)) + n_star * sum(
            kernel_mass(horizon - a) - kernel_mass(watched - a) for a in ages
        )
        direct = p * to_come
        reach = kernel_mass((horizon - watched) / 2.0)  # a typical new repost's remaining time
        branching = min(MAX_BRANCHING, p * n_star * reach)
        return CascadeForecast(observed, observed + direct / (1.0 - branching), p, branching)


def ages_from_snapshots(published: float, snapshots: Sequence[tuple[float, int]]) -> list[float]:
    """Approximate repost ages from (time, repost count) snapshots of one post.

    The reposts counted between two snapshots are spread evenly over that interval
    (the first interval starts at publication).
    """
    ages: list[float] = []
    last_time, last_count = published, 0
    for at, count in sorted(snapshots):
        new = count - last_count
        if new > 0 and at > last_time:
            step = (at - last_time) / new
            ages.extend(last_time - published + step * (i + 0.5) for i in range(new))
        last_time = max(last_time, at)
        last_count = max(last_count, count)
    return ages


def log_error(predicted: float, actual: float) -> float:
    """The field's usual per-thread error: squared difference of log2(1 + size)."""
    return (math.log2(1.0 + predicted) - math.log2(1.0 + actual)) ** 2
