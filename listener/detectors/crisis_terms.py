"""Crisis terms: crisis vocabulary bursting around a brand, and words it has never had.

Two findings, one signal per brand:

- a burst: mentions carrying crisis vocabulary (维权, 召回, 起火, 中毒… per brand
  configurable, tagged at enrichment) in the last ``window`` against the brand's
  own rate over the baseline period (one aggregation for every brand);
- emerging terms: for brands with a burst or enough recent negative mentions,
  the character n-grams that many recent negative posts share and the brand's
  history does not have (a new product defect, a place, a victim's name).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Self

import numpy as np
from pydantic import Field

from listener.config.types import PositiveDuration
from listener.detectors.base import DetectContext, Detector, DetectorConfig
from listener.domain import Fact, Signal
from listener.plugin import PluginContext
from listener.stats.seasonal import SeasonalConfig, assess_rows
from listener.stats.spikes import assess_latest
from listener.stores.base import BucketQuery, MentionQuery
from listener.textfold import fold

HISTORY_TTL = timedelta(hours=1)
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


class CrisisTermsConfig(DetectorConfig):
    type: Literal["crisis_terms"] = "crisis_terms"
    window: PositiveDuration = timedelta(minutes=30)
    baseline: PositiveDuration = timedelta(days=7)
    sensitivity: float = Field(default=4.0, gt=0)
    min_count: int = Field(default=3, ge=1)
    """Fewer crisis-term mentions than this in the window never fire."""
    emerging_min_posts: int = Field(default=4, ge=2)
    """An emerging term must appear in at least this many recent negative posts..."""
    emerging_min_share: float = Field(default=0.3, gt=0, le=1)
    """...and in at least this share of them."""
    max_history_share: float = Field(default=0.005, ge=0, lt=1)
    """...while appearing in at most this share of the brand's past posts."""


def ngrams(text: str, sizes: tuple[int, ...] = (2, 3, 4)) -> set[str]:
    grams: set[str] = set()
    for run in _HAN_RUN.findall(text):
        for n in sizes:
            grams.update(run[i : i + n] for i in range(len(run) - n + 1))
    return grams


def _covered_runs(text: str, grams: set[str], sizes: tuple[int, ...] = (2, 3, 4)) -> set[str]:
    """Maximal stretches of ``text`` covered by n-grams from ``grams``."""
    covered = [False] * len(text)
    for n in sizes:
        for i in range(len(text) - n + 1):
            if text[i : i + n] in grams:
                covered[i : i + n] = [True] * n
    runs, start = set(), None
    for i, flag in enumerate([*covered, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= 2:
                runs.add(text[start:i])
            start = None
    return runs


@dataclass(frozen=True)
class HistoryProfile:
    """How many of a brand's past posts contain each character bigram."""

    bigrams: Counter[str]
    posts: int


def history_profile(texts: list[str]) -> HistoryProfile:
    return HistoryProfile(Counter(g for t in texts for g in ngrams(t, (2,))), len(texts))


def emerging_terms(
    recent: list[str],
    history: HistoryProfile,
    ignore: set[str],
    min_posts: int,
    min_share: float,
    max_history_share: float,
) -> list[str]:
    """Phrases many ``recent`` posts share that (nearly) never occur in ``history``.

    Character bigrams new to the brand are found first; the phrases are the
    maximal stretches of text they cover (发动机起火, not 动机起 and 机起火).
    """
    if len(recent) < min_posts:
        return []
    needed = max(min_posts, math.ceil(min_share * len(recent)))
    df = Counter(g for text in recent for g in ngrams(text, (2,)))
    past = history.bigrams
    limit = max_history_share * max(1, history.posts)
    # bigrams decide coverage: a longer gram would drag known characters along (米汽车电)
    fresh = {g for g, n in df.items() if len(g) == 2 and n >= needed and past[g] <= limit}
    candidates = {run for text in recent for run in _covered_runs(text, fresh, (2,))}
    scored = []
    for run in candidates:
        text = run
        for word in ignore:
            text = text.replace(word, " ")
        for piece in text.split():
            if len(piece) >= 2:
                scored.append((sum(piece in text for text in recent), piece))
    kept: list[str] = []
    for count, piece in sorted(set(scored), key=lambda x: (-x[0], -len(x[1]))):
        if count >= needed and not any(piece in k or k in piece for k in kept):
            kept.append(piece)
    return kept[:5]


class CrisisTermsDetector(Detector):
    Config = CrisisTermsConfig
    config: CrisisTermsConfig

    def __init__(
        self, config: CrisisTermsConfig, brand_words: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        super().__init__(config)
        self.brand_words = brand_words or {}
        """Per brand, names and aliases: never 'emerging' about the brand itself."""
        self._profiles: dict[str, tuple[datetime, HistoryProfile]] = {}

    @classmethod
    def from_config(cls, config: DetectorConfig, ctx: PluginContext) -> Self:
        assert isinstance(config, CrisisTermsConfig)
        return cls(config, ctx.brand_terms)

    def detect(self, context: DetectContext) -> list[Signal]:
        cfg = self.config
        since = context.now - cfg.baseline - cfg.window
        rows = context.store.count_buckets(
            BucketQuery(
                since=since,
                until=context.now,
                bucket=cfg.window,
                brands=context.brands,
                crisis_only=True,
            )
        )
        start = context.now - cfg.window
        size = cfg.window.total_seconds()
        current = int(context.now.timestamp() // size)
        length = int(cfg.baseline / cfg.window) + 2
        first = current - length + 1
        per_brand: dict[str, np.ndarray] = {}
        for row in rows:
            index = int(row.start.timestamp() // size) - first
            if 0 <= index < length:
                per_brand.setdefault(row.brand, np.zeros(length))[index] += row.count
        seasonal = SeasonalConfig(
            per_day=max(1, round(86400 / size)),
            days=max(1, round(cfg.baseline / timedelta(days=1))),
            windows=(1, 2),
        )
        elapsed = (context.now.timestamp() / size) % 1.0
        signals = []
        for brand in context.brands:
            counts = per_brand.get(brand)
            if counts is None or counts[-2:].sum() < cfg.min_count:
                signals.extend(self._new_topic(context, brand, start))
                continue
            # before the brand's first mention there is no data, not zero crisis mentions
            known = context.series.first_seen(brand)
            if known is not None:
                counts[: max(0, int(known.timestamp() // size) - first)] = np.nan
            # the same seasonal count model as the volume detectors: complaints that carry
            # crisis words follow the daily cycle too
            [a] = assess_rows(counts, seasonal, np.array([length - 1]), partial=elapsed)
            if math.isnan(a.count) or a.count < cfg.min_count:
                continue  # too young a brand to judge, or too few mentions
            count, expected, surprise = int(a.count), a.expected, a.surprise
            if surprise < cfg.sensitivity:
                continue
            texts = context.store.search(
                MentionQuery(
                    brands=(brand,),
                    crisis_only=True,
                    since=start,
                    until=context.now,
                    order="engagement",
                    limit=50,
                )
            ).mentions
            terms = Counter(t for m in texts for t in m.crisis_terms)
            new = self._emerging(context, brand)
            facts: dict[str, Fact] = {
                "minutes": int(a.window * size // 60),
                "count": count,
                "terms": tuple(t for t, _ in terms.most_common(3)),
                "expected": round(expected, 2),
            }
            if new:
                facts["new"] = tuple(new[:3])
            signals.append(
                Signal(
                    detector=self.name,
                    brand=brand,
                    key="brand",
                    severity="P1"
                    if surprise >= 3 * cfg.sensitivity
                    else "P2"
                    if surprise >= 2 * cfg.sensitivity
                    else "P3",
                    score=round(surprise / (surprise + cfg.sensitivity), 4),
                    message="crisis_terms.burst_new" if new else "crisis_terms.burst",
                    facts=facts,
                    detected_at=context.now,
                    window_start=start,
                    window_end=context.now,
                    parts={
                        "crisis_mentions": float(count),
                        "expected": round(expected, 3),
                        "surprise": round(surprise, 2),
                        "emerging_terms": float(len(new)),
                    },
                    mention_ids=tuple(m.id for m in texts[:5]),
                )
            )
        return signals

    def _new_topic(self, context: DetectContext, brand: str, start: datetime) -> list[Signal]:
        """Without crisis vocabulary: elevated negatives sharing words never seen before."""
        cfg, series = self.config, context.series
        negative = series.counts(brand, sentiment="negative")
        buckets = max(1, int(cfg.window / series.bucket))
        if np.nansum(negative[-buckets:]) < cfg.emerging_min_posts:
            return []
        if assess_latest(negative, series).surprise < cfg.sensitivity / 2:
            return []  # negatives at their usual level: nothing new is going on
        new = self._emerging(context, brand)
        if not new:
            return []
        return [
            Signal(
                detector=self.name,
                brand=brand,
                key="brand",
                severity="P3",
                score=0.5,
                message="crisis_terms.new_topic",
                facts={"new": tuple(new[:3])},
                detected_at=context.now,
                window_start=start,
                window_end=context.now,
                parts={"emerging_terms": float(len(new))},
            )
        ]

    def _history(self, context: DetectContext, brand: str) -> HistoryProfile:
        """The brand's past bigrams, re-read from the store at most every ``HISTORY_TTL``."""
        cached = self._profiles.get(brand)
        if cached is not None and context.now - cached[0] < HISTORY_TTL:
            return cached[1]
        cfg = self.config
        texts = [
            fold(m.text)
            for m in context.store.search(
                MentionQuery(
                    brands=(brand,),
                    since=context.now - cfg.baseline,
                    until=context.now - cfg.window,
                    limit=2000,
                )
            ).mentions
        ]
        profile = history_profile(texts)
        self._profiles[brand] = (context.now, profile)
        return profile

    def _emerging(self, context: DetectContext, brand: str) -> list[str]:
        cfg = self.config
        recent = context.store.search(
            MentionQuery(
                brands=(brand,),
                sentiments=("negative",),
                since=context.now - cfg.window,
                until=context.now,
                limit=200,
            )
        ).mentions
        ignore = {fold(brand), *self.brand_words.get(brand, frozenset())}
        return emerging_terms(
            [fold(m.text) for m in recent],
            self._history(context, brand),
            ignore,
            cfg.emerging_min_posts,
            cfg.emerging_min_share,
            cfg.max_history_share,
        )
