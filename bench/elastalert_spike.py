"""The baseline: an ElastAlert 2 ``spike`` rule on negative mentions, per brand.

ElastAlert's spike rule compares the count in the current ``timeframe`` with
the count in the one before it and matches when ``cur >= spike_height * ref``
and ``cur >= threshold_cur`` (a reference of 0 matches too), once the
reference window has filled. Here it runs on each brand's negative mentions,
seeing a mention only once it was collected, at the same steps as the
backtest; consecutive matches within ``regroup`` are one alert, as our
incidents are, so false alerts compare like with like.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np

from listener.backtest import Alert
from listener.domain import Mention


def spike_alerts(
    observations: list[Mention],
    brands: list[str],
    step: timedelta,
    timeframe: timedelta = timedelta(minutes=15),
    spike_height: float = 3.0,
    threshold_cur: int = 5,
    regroup: timedelta = timedelta(hours=2),
) -> list[Alert]:
    first: dict[str, Mention] = {}
    for m in observations:  # a re-visited thread is one document
        first.setdefault(m.id, m)
    per_brand: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for m in first.values():
        if m.sentiment is not None and m.sentiment.label == "negative":
            for b in m.brands:
                per_brand[b].append((m.published_at.timestamp(), m.collected_at.timestamp()))
    start = observations[0].collected_at
    end = observations[-1].collected_at
    window = timeframe.total_seconds()
    alerts: list[Alert] = []
    for brand in brands:
        rows = np.array(sorted(per_brand.get(brand, [])), dtype=float).reshape(-1, 2)
        published, collected = rows[:, 0], rows[:, 1]
        last_alert: datetime | None = None
        now = start + 2 * timeframe  # the reference window must fill first
        while now <= end:
            t = now.timestamp()
            seen = published[collected <= t]
            cur = int(((seen >= t - window) & (seen < t)).sum())
            ref = int(((seen >= t - 2 * window) & (seen < t - window)).sum())
            if cur >= threshold_cur and cur >= spike_height * ref:
                if last_alert is None or now - last_alert >= regroup:
                    alerts.append(
                        Alert(
                            at=now,
                            brand=brand,
                            incident=f"{brand}@{now:%H%M}",
                            detectors=("elastalert_spike",),
                            severity="P3",
                        )
                    )
                last_alert = now
            now += step
    return alerts
