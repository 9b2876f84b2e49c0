"""Mention counts per bucket for every brand × sentiment × platform, kept between passes.

One aggregation per detection pass serves every count-based detector and every
brand: buckets are cached (a cache of what the store holds, rebuilt from it
after a restart); each pass reads again only the last hour (where late
arrivals still land), and the whole history once an hour.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from listener.stores.base import BucketQuery, Store

REREAD = 12
"""Buckets before the current one that every pass reads again."""
FULL_REFRESH = timedelta(hours=1)


class BucketSeries:
    def __init__(self, bucket: timedelta, history: timedelta) -> None:
        self.bucket = bucket
        self.size = bucket.total_seconds()
        self.length = int(history / bucket) + 1
        self._counts: dict[str, dict[tuple[str, str], dict[int, float]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        self._fetched_until: int | None = None
        self._last_full: datetime | None = None
        self.current = 0
        """Index of the bucket containing ``now`` at the last refresh."""
        self.elapsed = 1.0
        """Fraction of the current bucket that has passed."""
        self._first: dict[str, int] = {}
        """Per brand, the earliest bucket with a mention: before it there is no data."""
        self._gaps: dict[str, list[tuple[int, int | None]]] = {}
        """Per platform, bucket ranges [first, last) when a source of it was down."""

    def index(self, at: datetime) -> int:
        return int(at.timestamp() // self.size)

    def refresh(self, store: Store, now: datetime, brands: tuple[str, ...]) -> None:
        self.current = self.index(now)
        self.elapsed = (now.timestamp() / self.size) % 1.0
        oldest = self.current - self.length + 1
        full = (
            self._fetched_until is None
            or self._last_full is None
            or (now - self._last_full >= FULL_REFRESH)
        )
        # late arrivals (crawl lag, a pass that ran before indexing caught up) still land in
        # the last hour's buckets, so those are read again every pass; backfills of older
        # days are picked up by the hourly full read
        start = oldest if full else max(oldest, self.current - REREAD)
        if full:
            self._last_full = now
        rows = store.count_buckets(
            BucketQuery(
                since=datetime.fromtimestamp(start * self.size, now.tzinfo),
                until=now,
                bucket=self.bucket,
                brands=brands,
                by_platform=True,
            )
        )
        for by_key in self._counts.values():
            for series in by_key.values():
                for index in [i for i in series if i < oldest or i >= start]:
                    del series[index]
        for row in rows:
            series = self._counts[row.brand][(row.platform or "", row.sentiment or "")]
            index = self.index(row.start)
            self._first[row.brand] = min(self._first.get(row.brand, index), index)
            series[index] = series.get(index, 0.0) + row.count
        self._gaps = {}
        for outage in store.outages(datetime.fromtimestamp(oldest * self.size, now.tzinfo)):
            end = self.index(outage.end) + 1 if outage.end else None
            for platform in outage.platforms:
                self._gaps.setdefault(platform, []).append((self.index(outage.start), end))
        self._fetched_until = self.current

    def first_seen(self, brand: str) -> datetime | None:
        """Start of the brand's first bucket with a mention (None: no mention yet)."""
        index = self._first.get(brand)
        return None if index is None else datetime.fromtimestamp(index * self.size, UTC)

    def brands(self) -> list[str]:
        return [b for b, by_key in self._counts.items() if any(by_key.values())]

    def platforms(self, brand: str) -> set[str]:
        return {p for (p, _), series in self._counts.get(brand, {}).items() if series}

    def counts(
        self, brand: str, *, sentiment: str | None = None, platform: str | None = None
    ) -> NDArray[np.float64]:
        """The last ``length`` buckets (oldest first, the current one last), summed over
        whatever is not fixed by the arguments. Buckets before the brand's first mention
        are NaN: no data is not the same as no mentions. So are buckets when a source
        of a platform counted here was down (its outage, from the store)."""
        first = self.current - self.length + 1
        out = np.zeros(self.length)
        known_from = self._first.get(brand, self.current + 1) - first
        out[: max(0, min(self.length, known_from))] = np.nan
        for (p, s), series in self._counts.get(brand, {}).items():
            if (sentiment is not None and s != sentiment) or (
                platform is not None and p != platform
            ):
                continue
            if series:
                index = np.fromiter(series.keys(), dtype=np.int64, count=len(series)) - first
                values = np.fromiter(series.values(), dtype=np.float64, count=len(series))
                keep = index >= 0
                np.add.at(out, index[keep], values[keep])
        if known_from > 0:
            out[: min(self.length, known_from)] = np.nan
        affected = [platform] if platform is not None else self.platforms(brand)
        for name in affected:
            for start, end in self._gaps.get(name, ()):
                stop = self.length if end is None else min(self.length, end - first)
                out[max(0, start - first) : max(0, stop)] = np.nan
        return out

    def outage_platforms(self, brand: str) -> list[str]:
        """The brand's platforms with a collection gap in the current bucket."""
        return [
            p
            for p in sorted(self.platforms(brand))
            if any(
                s <= self.current and (e is None or self.current < e)
                for s, e in self._gaps.get(p, ())
            )
        ]
