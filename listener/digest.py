"""Build the daily digest for one recipient group from the store."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from listener.config.models import DigestGroup
from listener.domain import BrandDay, Digest
from listener.stores.base import BucketQuery, MentionQuery, Store

COMPARE_DAYS = 7


def previous_day(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of yesterday in ``timezone``, as aware datetimes."""
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today - timedelta(days=1)), today


def build_digest(
    store: Store, now: datetime, group: DigestGroup, brands: tuple[str, ...], top: int
) -> Digest:
    start, end = previous_day(now, group.timezone)
    compare_start = start - timedelta(days=COMPARE_DAYS)
    offset = start.utcoffset() or timedelta(0)
    bucket = timedelta(hours=1) if offset.total_seconds() % 3600 == 0 else timedelta(minutes=15)
    rows = store.count_buckets(
        BucketQuery(since=compare_start, until=end, bucket=bucket, brands=brands)
    )
    day: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    before: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        target = day if row.start >= start else before
        target[row.brand][0] += row.count
        target[row.brand][1] += row.count if row.sentiment == "negative" else 0
    brand_days = tuple(
        BrandDay(
            brand=b,
            mentions=day[b][0],
            negative=day[b][1],
            previous_mentions_avg=round(before[b][0] / COMPARE_DAYS, 2),
            previous_negative_share=round(before[b][1] / before[b][0], 4) if before[b][0] else 0.0,
        )
        for b in brands
    )
    negatives = store.search(
        MentionQuery(
            sentiments=("negative",),
            since=start,
            until=end,
            order="engagement",
            limit=top,
            brands=brands,
        )
    )
    return Digest(
        period_start=start,
        period_end=end,
        timezone=group.timezone,
        brands=brand_days,
        top_negative=tuple(negatives.mentions),
        incidents=tuple(store.list_incidents(since=start)),
        unhealthy_sources=tuple(h for h in store.all_source_health() if not h.healthy),
    )
