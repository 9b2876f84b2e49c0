from __future__ import annotations

from datetime import timedelta

from listener.detectors.coordinated import (
    CoordinatedConfig,
    CoordinatedDetector,
    clusters,
    normalise,
)
from listener.domain import Author
from listener.plugins import build_detectors
from listener.stores.sqlite import SqliteStore
from tests.factories import T0, mention
from tests.unit.detectors.conftest import MakeContext

NOW = T0 + timedelta(hours=1)
TEMPLATE = "小米汽车质量太差了，大家千万别买，买了就后悔！"


def army(n: int, followers: int = 3) -> list:  # type: ignore[type-arg]
    return [
        mention(
            f"a{i}",
            f"@用户{i} {TEMPLATE}[怒] {i}{i} http://t.cn/{i}",
            author=Author(id=f"bot{i}", followers=followers),
            at=NOW - timedelta(minutes=5),
            minutes=i * 0.2,
        )
        for i in range(n)
    ]


def test_near_duplicates_cluster_and_different_texts_do_not() -> None:
    texts = [f"@x{i} {TEMPLATE} {i}" for i in range(5)] + [
        TEMPLATE.replace("太差了", "太差"),
        "今天天气不错，去公园散步",
        "蔚来换电站排队一个小时",
    ]
    groups = clusters(texts)
    assert sorted(map(sorted, groups)) == [[0, 1, 2, 3, 4, 5]]
    assert normalise("@张三 好[哈哈] http://t.cn/x 123！") == "好"


def test_a_burst_from_small_accounts_is_reported_and_discounted(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    sqlite_store.bulk_upsert([*army(12), mention("real", "小米汽车开起来不错", minutes=55)])
    context = make_context(sqlite_store, NOW, ("小米",))
    [signal] = CoordinatedDetector(CoordinatedConfig()).detect(context)
    assert signal.key == "coordinated" and signal.parts["posts"] == 12
    assert "疑似水军" in signal.summary
    assert len(context.coordinated["小米"]) == 11  # all but one post of the burst


def test_the_same_words_from_big_accounts_are_not_an_army(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    sqlite_store.bulk_upsert(army(12, followers=5000))  # real users echoing a slogan
    assert (
        CoordinatedDetector(CoordinatedConfig()).detect(make_context(sqlite_store, NOW, ("小米",)))
        == []
    )


def test_it_runs_before_the_detectors_that_discount_it() -> None:
    detectors = build_detectors(
        [
            *__import__("listener.config.models", fromlist=["x"])
            .Config.model_fields["detectors"]
            .default
        ]
    )
    assert detectors[0].name == "coordinated"
