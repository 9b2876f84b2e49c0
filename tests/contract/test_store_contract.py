"""What every Store must do; a new backend is done when this passes against it."""

from __future__ import annotations

from datetime import timedelta

from listener.domain import Incident, IncidentStatus, Outage, SourceHealth
from listener.stores.base import BucketCount, BucketQuery, MentionQuery, Store
from tests.factories import T0, mention, score


def ids(store: Store, **query: object) -> list[str]:
    store.refresh()
    return [m.id for m in store.search(MentionQuery(**query)).mentions]  # type: ignore[arg-type]


def test_setup_is_idempotent(store: Store) -> None:
    store.setup()
    store.ping()


def test_upsert_is_idempotent_by_id(store: Store) -> None:
    first = mention("1", reposts=1)
    report = store.bulk_upsert([first, mention("2")])
    assert sorted(report.indexed) == ["weibo:1", "weibo:2"] and report.failed == {}
    store.bulk_upsert([mention("1", reposts=99)])
    store.refresh()
    assert store.search(MentionQuery()).total == 2
    stored = store.get("weibo:1")
    assert stored is not None and stored.engagement.reposts == 99
    assert store.get("weibo:404") is None


def test_round_trip_keeps_every_field(store: Store) -> None:
    original = mention(
        "7",
        "小米汽车 SU7 起火了？",
        sentiment="negative",
        reposts=3,
        crisis_terms=("起火",),
        thread_id="weibo:1",
        kind="repost",
        text_original="小米汽車 SU7 起火了？",
        long_text=True,
        matched_terms={"小米": ("小米",)},
    )
    store.bulk_upsert([original])
    store.refresh()
    assert store.get(original.id) == original


def test_full_text_search_in_chinese(store: Store) -> None:
    store.bulk_upsert(
        [
            mention("1", "小米手机发热严重"),
            mention("2", "小米粥很好喝"),
            mention("3", "华为发布会"),
            mention("4", "Xiaomi 15 Ultra review"),
        ]
    )
    assert sorted(ids(store, text="小米")) == ["weibo:1", "weibo:2"]  # 2 characters
    assert ids(store, text="发热严重") == ["weibo:1"]  # 4 characters
    assert ids(store, text="小米 发热") == ["weibo:1"]  # every term must occur
    assert ids(store, text='"手机发热"') == ["weibo:1"]  # quoted phrase
    assert ids(store, text="xiaomi") == ["weibo:4"]  # case-insensitive
    assert ids(store, text="苹果") == []


def test_search_in_traditional_original_text(store: Store) -> None:
    store.bulk_upsert([mention("1", "小米汽车很好", text_original="小米汽車很好")])
    assert ids(store, text="汽車") == ["weibo:1"]


def test_search_ignores_width_case_and_script_of_text_as_written(store: Store) -> None:
    store.bulk_upsert(
        [
            mention("1", "小米ＳＵ７的剎車失靈了！客服呢？"),
            mention("2", "蔚来ES6续航提升明显，点赞"),
        ]
    )
    assert ids(store, text="刹车失灵") == ["weibo:1"]
    assert ids(store, text="su7") == ["weibo:1"]
    assert ids(store, text="剎車失靈") == ["weibo:1"]
    assert ids(store, text="續航") == ["weibo:2"]
    assert ids(store, text="es6") == ["weibo:2"]
    found = store.search(MentionQuery(text="刹车")).mentions
    assert found[0].text == "小米ＳＵ７的剎車失靈了！客服呢？"  # stored as written


def test_filters(store: Store) -> None:
    store.bulk_upsert(
        [
            mention("1", brands=("小米",), sentiment="negative", minutes=0),
            mention("2", brands=("蔚来",), sentiment="negative", minutes=10, platform="zhihu"),
            mention("3", brands=("小米", "蔚来"), sentiment="positive", minutes=20),
            mention("4", brands=("小米",), sentiment="neutral", minutes=30),
        ]
    )
    assert sorted(ids(store, brands=("蔚来",))) == ["weibo:3", "zhihu:2"]
    assert ids(store, platforms=("zhihu",)) == ["zhihu:2"]
    assert sorted(ids(store, sentiments=("negative",))) == ["weibo:1", "zhihu:2"]
    assert ids(store, brands=("小米",), sentiments=("negative", "positive")) == [
        "weibo:3",
        "weibo:1",
    ]
    window = {"since": T0 + timedelta(minutes=10), "until": T0 + timedelta(minutes=30)}
    assert ids(store, **window) == ["weibo:3", "zhihu:2"]  # half-open, newest first


def test_order_by_engagement_and_paging(store: Store) -> None:
    store.bulk_upsert(
        [mention(str(i), reposts=r, minutes=i) for i, r in enumerate([5, 50, 0, 500, 7])]
    )
    assert ids(store, order="engagement", limit=3) == ["weibo:3", "weibo:1", "weibo:4"]
    store.refresh()
    page = store.search(MentionQuery(limit=2, offset=2))
    assert page.total == 5 and [m.id for m in page.mentions] == ["weibo:2", "weibo:1"]


def test_thread_filter_includes_the_root(store: Store) -> None:
    store.bulk_upsert([mention("1"), mention("2", thread_id="weibo:1"), mention("3")])
    assert sorted(ids(store, thread_id="weibo:1")) == ["weibo:1", "weibo:2"]


def test_count_buckets(store: Store) -> None:
    start = T0  # T0 is on a 5-minute boundary
    store.bulk_upsert(
        [
            mention("1", sentiment="negative", minutes=0),
            mention("2", sentiment="negative", minutes=4.9),
            mention("3", sentiment="positive", minutes=3),
            mention("4", sentiment="negative", minutes=6, brands=("小米", "蔚来")),
            mention("5", sentiment="negative", minutes=6, platform="zhihu"),
            mention("6", sentiment="negative", minutes=60),  # outside [since, until)
        ]
    )
    store.refresh()
    rows = store.count_buckets(
        BucketQuery(since=start, until=start + timedelta(minutes=10), bucket=timedelta(minutes=5))
    )
    got = {(r.start, r.brand, r.sentiment): r.count for r in rows}
    five = start + timedelta(minutes=5)
    assert got == {
        (start, "小米", "negative"): 2,
        (start, "小米", "positive"): 1,
        (five, "小米", "negative"): 2,
        (five, "蔚来", "negative"): 1,
    }
    only = store.count_buckets(
        BucketQuery(
            since=start,
            until=start + timedelta(minutes=10),
            bucket=timedelta(minutes=5),
            brands=("蔚来",),
        )
    )
    assert only == [BucketCount(start=five, brand="蔚来", sentiment="negative", count=1)]
    by_platform = store.count_buckets(
        BucketQuery(
            since=five,
            until=start + timedelta(minutes=10),
            bucket=timedelta(minutes=5),
            brands=("小米",),
            by_platform=True,
        )
    )
    assert {(r.platform, r.count) for r in by_platform} == {("weibo", 1), ("zhihu", 1)}


def test_a_mention_of_two_brands_counts_toward_each_with_its_own_sentiment(
    store: Store,
) -> None:
    """``A比B强多了`` is positive for A, negative for B: counts and lists per brand read the
    sentiment toward that brand, not the mention's first brand's."""
    versus = mention(
        "9",
        "小米的续航比蔚来强多了",
        sentiment="positive",
        brands=("小米", "蔚来"),
        brand_sentiment={"小米": score("positive"), "蔚来": score("negative")},
    )
    store.bulk_upsert([versus, mention("10", sentiment="negative", brands=("蔚来",))])
    store.refresh()
    assert store.get(versus.id) == versus
    rows = store.count_buckets(
        BucketQuery(since=T0, until=T0 + timedelta(minutes=5), bucket=timedelta(minutes=5))
    )
    assert {(r.brand, r.sentiment): r.count for r in rows} == {
        ("小米", "positive"): 1,
        ("蔚来", "negative"): 2,
    }
    assert sorted(ids(store, brands=("蔚来",), sentiments=("negative",))) == [
        "weibo:10",
        "weibo:9",
    ]
    assert ids(store, brands=("蔚来",), sentiments=("positive",)) == []
    assert ids(store, brands=("小米",), sentiments=("positive",)) == ["weibo:9"]
    assert ids(store, brands=("小米",), sentiments=("negative",)) == []
    assert ids(store, sentiments=("positive",)) == ["weibo:9"]  # no brand: its own label


def test_source_health(store: Store) -> None:
    assert store.source_health("weibo-search") is None
    health = SourceHealth(
        source="weibo-search",
        healthy=False,
        reason="login wall",
        cursor="4645748019299849",
        last_run_at=T0,
        runs=3,
        failures=1,
    )
    store.save_source_health(health)
    store.save_source_health(SourceHealth(source="rss", last_success_at=T0))
    store.refresh()
    assert store.source_health("weibo-search") == health
    assert [h.source for h in store.all_source_health()] == ["rss", "weibo-search"]


def test_outages(store: Store) -> None:
    old = Outage(
        source="rss",
        platforms=("news",),
        start=T0 - timedelta(days=3),
        end=T0 - timedelta(days=2),
        reason="404",
    )
    ongoing = Outage(source="weibo-search", platforms=("weibo",), start=T0, reason="login wall")
    store.save_outage(old)
    store.save_outage(ongoing)
    store.refresh()
    assert store.outages(T0 - timedelta(days=4)) == [old, ongoing]
    assert store.outages(T0 - timedelta(days=1)) == [ongoing]
    ended = ongoing.model_copy(update={"end": T0 + timedelta(hours=2)})
    store.save_outage(ended)  # the same outage, now closed: replaced, not added
    store.refresh()
    assert store.outages(T0 - timedelta(days=1)) == [ended]
    assert store.outages(T0 + timedelta(hours=3)) == []


def test_incidents(store: Store) -> None:
    def incident(key: str, brand: str, minutes: int, status: IncidentStatus) -> Incident:
        at = T0 + timedelta(minutes=minutes)
        return Incident(
            id=f"i-{key}",
            brand=brand,
            key=key,
            status=status,
            severity="P2",
            title="负面提及激增",
            opened_at=at,
            updated_at=at,
            last_signal_at=at,
            parts={"volume.z": 4.2},
            mention_ids=("weibo:1",),
        )

    a = incident("a", "小米", 0, IncidentStatus.OPEN)
    b = incident("b", "蔚来", 10, IncidentStatus.ACKNOWLEDGED)
    c = incident("c", "小米", 20, IncidentStatus.RESOLVED)
    for i in (a, b, c):
        store.save_incident(i)
    store.refresh()
    assert store.get_incident("i-a") == a
    assert [i.id for i in store.list_incidents()] == ["i-c", "i-b", "i-a"]
    assert [i.id for i in store.list_incidents(open_only=True)] == ["i-b", "i-a"]
    assert [i.id for i in store.list_incidents(brand="小米")] == ["i-c", "i-a"]
    assert [i.id for i in store.list_incidents(since=T0 + timedelta(minutes=10))] == ["i-c", "i-b"]
    escalated = a.model_copy(update={"severity": "P1", "updated_at": T0 + timedelta(hours=1)})
    store.save_incident(escalated)
    store.refresh()
    assert store.get_incident("i-a") == escalated
    assert store.list_incidents()[0].id == "i-a"


def test_crisis_and_author_filters(store: Store) -> None:
    store.bulk_upsert(
        [
            mention("1", "小米汽车起火", crisis_terms=("起火",), minutes=1),
            mention("2", "小米汽车不错", minutes=2),
            mention("3", "蔚来换电站爆炸", brands=("蔚来",), crisis_terms=("爆炸",), minutes=3),
        ]
    )
    assert sorted(ids(store, crisis_only=True)) == ["weibo:1", "weibo:3"]
    assert ids(store, author_ids=("u2",)) == ["weibo:2"]
    rows = store.count_buckets(
        BucketQuery(
            since=T0, until=T0 + timedelta(hours=1), bucket=timedelta(hours=1), crisis_only=True
        )
    )
    assert sorted((r.brand, r.count) for r in rows) == [("小米", 1), ("蔚来", 1)]


def test_prune_deletes_whole_months_before_the_cutoff(store: Store) -> None:
    months = [T0.replace(day=1) + timedelta(days=d) for d in (-60, -31, 0, 10)]
    store.bulk_upsert([mention(f"m{i}", at=at) for i, at in enumerate(months)])
    store.refresh()
    cutoff = T0.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    assert store.prune(cutoff) == 2
    store.refresh()
    assert sorted(ids(store)) == ["weibo:m2", "weibo:m3"]
    assert store.prune(cutoff) == 0  # idempotent


def test_large_result_windows(store: Store) -> None:
    """The detectors read windows of up to 100,000 mentions (past Elasticsearch's
    default 10,000-hit window)."""
    store.bulk_upsert([mention(f"{i:05d}", minutes=i / 100) for i in range(10_050)])
    store.refresh()
    page = store.search(MentionQuery(limit=100_000))
    assert page.total == 10_050 and len(page.mentions) == 10_050
    assert page.mentions[0].id == "weibo:10049" and page.mentions[-1].id == "weibo:00000"
    tail = store.search(MentionQuery(limit=20, offset=10_040))
    assert [m.id for m in tail.mentions] == [f"weibo:{i:05d}" for i in range(9, -1, -1)]
