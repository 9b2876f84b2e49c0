from __future__ import annotations

from datetime import timedelta
from typing import Literal

import numpy as np

from listener.detectors.base import DetectContext, Detector, DetectorConfig, detect_pass
from listener.detectors.coordinated import CoordinatedConfig, CoordinatedDetector
from listener.domain import Author, Signal
from listener.stats.neardup import clusters, normalise
from listener.stores.sqlite import SqliteStore
from tests.factories import T0, mention, said
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
    bursts = CoordinatedDetector(CoordinatedConfig()).find_bursts(context)
    [signal] = bursts.signals
    assert signal.key == "coordinated" and signal.parts["posts"] == 12
    assert "疑似水军" in said(signal)
    assert len(bursts.posts["小米"]) == 11  # all but one post of the burst


def test_the_same_words_from_big_accounts_are_not_an_army(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    sqlite_store.bulk_upsert(army(12, followers=5000))  # real users echoing a slogan
    assert (
        CoordinatedDetector(CoordinatedConfig()).detect(make_context(sqlite_store, NOW, ("小米",)))
        == []
    )


class SpyConfig(DetectorConfig):
    type: Literal["spy"] = "spy"


class Spy(Detector):
    """Records what the second step of a pass was given."""

    Config = SpyConfig

    def __init__(self, config: SpyConfig) -> None:
        super().__init__(config)
        self.seen: list[DetectContext] = []

    def detect(self, context: DetectContext) -> list[Signal]:
        self.seen.append(context)
        return []


def test_a_pass_finds_bursts_first_and_hands_them_to_the_count_detectors(
    sqlite_store: SqliteStore, make_context: MakeContext
) -> None:
    sqlite_store.bulk_upsert(army(12))
    spy = Spy(SpyConfig())
    context = make_context(sqlite_store, NOW, ("小米",))
    # listed first, still run second: the order of the config does not matter
    signals = detect_pass([spy, CoordinatedDetector(CoordinatedConfig())], context)
    assert [s.detector for s in signals] == ["coordinated"]
    [seen] = spy.seen
    assert len(seen.discounted_posts["小米"]) == 11
    assert context.discounted_posts == {}  # the pass's own context is never changed
    counts = seen.series.counts("小米")
    assert np.nansum(seen.discounted("小米", counts)) == np.nansum(counts) - 11
