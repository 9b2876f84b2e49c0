from __future__ import annotations

from datetime import UTC, datetime, timedelta

from listener.config.models import DigestGroup
from listener.digest import build_digest, previous_day
from listener.domain import SourceHealth
from listener.stores.sqlite import SqliteStore
from tests.factories import DIGEST_DAY, DIGEST_NOW, mention, seed_digest_day

# 2026-11-21 08:30 in Shanghai: the digest covers 2026-11-20 00:00–24:00 Shanghai time
NOW = datetime(2026, 11, 21, 0, 30, tzinfo=UTC)
DAY_START = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)


def test_previous_day_is_local() -> None:
    start, end = previous_day(NOW, "Asia/Shanghai")
    assert (start, end - start) == (DAY_START, timedelta(days=1))


def test_digest_numbers_match_the_store(sqlite_store: SqliteStore) -> None:
    day = [
        mention(
            f"d{i}",
            sentiment="negative" if i < 3 else "positive",
            at=DAY_START,
            minutes=i * 60,
            reposts=i,
        )
        for i in range(10)
    ]
    week = [
        mention(
            f"w{i}",
            sentiment="negative" if i % 7 == 0 else "neutral",
            at=DAY_START - timedelta(days=7),
            minutes=i * 100,
        )
        for i in range(70)
    ]
    other = [mention("x", brands=("蔚来",), sentiment="negative", at=DAY_START, minutes=5)]
    late = [mention("late", at=DAY_START + timedelta(days=1), minutes=1)]  # today: excluded
    sqlite_store.bulk_upsert(day + week + other + late)
    sqlite_store.save_source_health(SourceHealth(source="weibo", healthy=False, reason="captcha"))
    digest = build_digest(sqlite_store, NOW, DigestGroup(name="lead"), ("小米", "蔚来"), top=2)
    xiaomi, nio = digest.brands
    assert (xiaomi.mentions, xiaomi.negative) == (10, 3)
    # the week's 70 mentions span 5 of the 7 days before; the other 2 had no mention of
    # any brand (no data, not zero): the average is over the 5 days with data
    assert xiaomi.previous_mentions_avg == 14.0
    assert [d.date().isoformat() for d in digest.no_data_days] == ["2026-11-17", "2026-11-18"]
    assert xiaomi.previous_negative_share == 0.1429
    # 蔚来 was quiet on days that have data: its average is a real zero, its share unknown
    assert (nio.mentions, nio.negative, nio.previous_mentions_avg) == (1, 1, 0.0)
    assert nio.previous_negative_share is None
    assert [m.id for m in digest.top_negative] == ["weibo:d2", "weibo:d1"]
    assert [s.source for s in digest.unhealthy_sources] == ["weibo"]


def test_digest_trend_threads_authors_and_gaps(sqlite_store: SqliteStore) -> None:
    seed_digest_day(sqlite_store)
    digest = build_digest(
        sqlite_store, DIGEST_NOW, DigestGroup(name="lead", language="en"), ("小米", "蔚来"), top=3
    )
    assert digest.language == "en"
    # 8 local days, oldest first, the digest's day last; each day's counts by sentiment
    assert [p.start for p in digest.trend] == [DIGEST_DAY - timedelta(days=7 - i) for i in range(8)]
    assert [(p.negative, p.neutral, p.positive) for p in digest.trend[:7]] == [(1, 6, 0)] * 7
    assert (digest.trend[-1].negative, digest.trend[-1].neutral) == (4, 3)  # 3 蔚来 neutral
    assert digest.trend[-1].positive == 8
    # d2 is a reply in d0's thread: the thread is shown once, by its most engaging post
    assert [m.native_id for m in digest.top_negative] == ["d0", "d1", "d3"]
    top = digest.top_authors[0]
    assert (top.author.name, top.mentions, top.negative, top.engagement) == ("数码大V", 2, 1, 720)
    assert top.url == "https://m.weibo.cn/status/d1"
    assert [(o.source, o.reason) for o in digest.outages] == [("zhihu", "login wall")]
    assert [i.id for i in digest.incidents] == ["inc-digest"]
