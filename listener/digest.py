"""Build the daily digest for one recipient group from the store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from alerts.base import Delivery
from alerts.catalogue import Language
from listener.config.models import DigestConfig, DigestGroup
from listener.delivery import Deliveries
from listener.domain import AuthorDay, BrandDay, Digest, Mention, VolumePoint, utcnow
from listener.stores.base import BucketQuery, MentionQuery, Store

COMPARE_DAYS = 7
AUTHOR_SAMPLE = 500
"""Top authors are ranked among the day's most engaging mentions, this many."""


def previous_day(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of yesterday in ``timezone``, as aware datetimes."""
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today - timedelta(days=1)), today


def build_digest(
    store: Store,
    now: datetime,
    group: DigestGroup,
    brands: tuple[str, ...],
    top: int,
    language: Language = "zh",
) -> Digest:
    """``language``: when the group names none (``daemon.language``)."""
    start, end = previous_day(now, group.timezone)
    compare_start = start - timedelta(days=COMPARE_DAYS)
    offset = start.utcoffset() or timedelta(0)
    bucket = timedelta(hours=1) if offset.total_seconds() % 3600 == 0 else timedelta(minutes=15)
    rows = store.count_buckets(
        BucketQuery(since=compare_start, until=end, bucket=bucket, brands=brands)
    )
    day: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    before: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    trend: list[dict[str, int]] = [defaultdict(int) for _ in range(COMPARE_DAYS + 1)]
    for row in rows:
        target = day if row.start >= start else before
        target[row.brand][0] += row.count
        target[row.brand][1] += row.count if row.sentiment == "negative" else 0
        # local days: the compare window starts at local midnight
        index = min(COMPARE_DAYS, (row.start - compare_start) // timedelta(days=1))
        trend[index][row.sentiment or "neutral"] += row.count
    no_data = {i for i in range(COMPARE_DAYS + 1) if not sum(trend[i].values())}
    compared_days = COMPARE_DAYS - len(no_data - {COMPARE_DAYS})
    brand_days = tuple(
        BrandDay(
            brand=b,
            mentions=day[b][0],
            negative=day[b][1],
            previous_mentions_avg=_ratio(before[b][0], compared_days, 2),
            previous_negative_share=_ratio(before[b][1], before[b][0], 4),
        )
        for b in brands
    )
    negatives = store.search(
        MentionQuery(
            sentiments=("negative",),
            since=start,
            until=end,
            order="engagement",
            limit=top * 4,
            brands=brands,
        )
    )
    engaging = store.search(
        MentionQuery(since=start, until=end, order="engagement", limit=AUTHOR_SAMPLE, brands=brands)
    )
    sources = store.all_source_health()
    return Digest(
        period_start=start,
        period_end=end,
        timezone=group.timezone,
        language=group.language or language,
        brands=brand_days,
        trend=tuple(
            VolumePoint(start=compare_start + timedelta(days=i), **counts)
            for i, counts in enumerate(trend)
        ),
        top_negative=tuple(one_per_thread(negatives.mentions)[:top]),
        top_authors=tuple(top_authors(engaging.mentions)[:top]),
        incidents=tuple(store.list_incidents(since=start)),
        unhealthy_sources=tuple(h for h in sources if not h.healthy),
        outages=tuple(o for o in store.outages(start) if o.start < end),
        sources=tuple(sources),
        no_data_days=tuple(compare_start + timedelta(days=i) for i in sorted(no_data)),
    )


def _ratio(part: int, whole: int, digits: int) -> float | None:
    return round(part / whole, digits) if whole else None


def one_per_thread(mentions: list[Mention]) -> list[Mention]:
    """The first (most engaging) mention of each conversation."""
    seen: set[str] = set()
    kept = []
    for m in mentions:
        thread = m.thread_id or m.id
        if thread not in seen:
            seen.add(thread)
            kept.append(m)
    return kept


def top_authors(mentions: list[Mention]) -> list[AuthorDay]:
    """Authors of the day ranked by influence (followers when not scored), then reach."""
    grouped: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        grouped[(m.platform, m.author.id)].append(m)
    days = []
    for (platform, _), posts in grouped.items():
        best = max(posts, key=lambda m: m.engagement.total)
        days.append(
            AuthorDay(
                author=best.author,
                platform=platform,
                mentions=len(posts),
                negative=sum(1 for m in posts if m.sentiment and m.sentiment.label == "negative"),
                engagement=sum(m.engagement.total for m in posts),
                url=best.url,
            )
        )
    return sorted(
        days,
        key=lambda d: (-(d.author.influence or 0.0), -(d.author.followers or 0), -d.engagement),
    )


class Digests:
    """The daily digest per recipient group: built from the store, queued for delivery."""

    def __init__(
        self,
        config: DigestConfig,
        brands: tuple[str, ...],
        store: Store,
        deliveries: Callable[[], Deliveries],
        language: Language = "zh",
    ) -> None:
        self.config = config
        self.language: Language = language
        self.brands = brands
        self.store = store
        self._deliveries = deliveries
        """Built only to send (a preview or ``--text`` builds no notifier)."""

    def group(self, name: str) -> DigestGroup:
        return next(g for g in self.config.groups if g.name == name)

    def build(self, group_name: str, now: datetime | None = None) -> Digest:
        """The group's digest of the day before ``now``."""
        return build_digest(
            self.store,
            now or utcnow(),
            self.group(group_name),
            self.brands,
            self.config.top,
            self.language,
        )

    def send(
        self, group_name: str, now: datetime | None = None, queued_at: datetime | None = None
    ) -> Digest:
        """Queue the group's digest of the day before ``now`` for its notifiers, due at
        ``queued_at`` (default ``now``); the delivery job sends it. Its outbox subject is
        ``describe(digest)[1]``."""
        digest = self.build(group_name, now)
        group = self.group(group_name)
        to = Delivery(recipients=tuple(group.recipients))
        deliveries = self._deliveries()
        notifiers = deliveries.notifiers
        deliveries.queue(
            [(notifiers[n], to) for n in group.notifiers or notifiers], digest, queued_at or now
        )
        return digest
