"""Synthetic count series with a daily cycle (negative binomial noise)."""

from __future__ import annotations

import numpy as np

PER_DAY = 288


def daily(days: int, base: float, swing: float, seed: int, size: float = 10.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(days * PER_DAY)
    lam = base + swing * np.sin(np.pi * t / PER_DAY) ** 2
    return rng.negative_binomial(size, size / (size + lam)).astype(float)
