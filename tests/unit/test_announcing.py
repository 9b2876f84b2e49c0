"""One crisis, one message: held for the group wait, updated in place as it grows, its
news (volume doubled, the brand's first response) posted in its thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from alerts.base import AS_CONFIGURED, Delivery
from alerts.catalogue import Words
from listener.app import App
from listener.backtest import RecordingNotifier
from listener.config.models import Config
from listener.domain import Author, IncidentEvent, Mention, Pulse
from tests.factories import T0, mention

NOW = T0 + timedelta(days=3)


class Told(RecordingNotifier):
    """Records every change it is given; ``edits`` says whether it can edit a message."""

    def __init__(self, name: str, edits: bool) -> None:
        super().__init__()
        self.name = name
        self.edits = edits
        self.events: list[IncidentEvent] = []

    @property
    def edits_in_place(self) -> bool:
        return self.edits

    def notify(self, event: IncidentEvent, to: Delivery = AS_CONFIGURED) -> None:
        self.events.append(event)

    def said(self) -> list[str]:
        return [e.change + (f":{e.reason}" if e.reason else "") for e in self.events]


def calm_days() -> list[Mention]:
    """Three days of a calm brand: one negative and four neutral posts an hour."""
    posts = []
    for h in range(3 * 24 - 3):
        at = NOW - timedelta(hours=3 * 24 - h)
        posts.append(mention(f"h{h}n", "小米手机发热严重", sentiment="negative", at=at))
        posts += [
            mention(f"h{h}p{k}", "小米手机不错", at=at, minutes=10 + 10 * k) for k in range(4)
        ]
    return posts


def burst(minute: int, count: int) -> list[Mention]:
    at = NOW + timedelta(minutes=minute)
    text = "小米手机爆炸了 维权"
    return [
        mention(f"c{minute}-{i}", text, sentiment="negative", at=at, minutes=-i / 3)
        for i in range(count)
    ]


@pytest.fixture
def app(config_for: Callable[[str], Config]) -> Iterator[tuple[App, Told, Told]]:
    slack, mail = Told("slack", edits=True), Told("email", edits=False)
    config = config_for(
        "brands: [{name: 小米, official_accounts: [{platform: weibo, id: xiaomi}]}]\n"
    )
    built = App.build(config, notifiers={slack.name: slack, mail.name: mail})
    built.store.bulk_upsert(calm_days())
    try:
        yield built, slack, mail
    finally:
        built.close()


def passes(app: App, plan: list[tuple[int, list[Mention]]]) -> None:
    for minute, posts in plan:
        at = NOW + timedelta(minutes=minute)
        app.store.bulk_upsert(posts)
        app.detection.detect(at)
        app.deliveries.deliver(at)


def test_a_new_incident_waits_for_the_group_wait_then_goes_out_once(
    app: tuple[App, Told, Told],
) -> None:
    built, slack, mail = app
    passes(built, [(0, burst(0, 10))])
    [incident] = built.store.list_incidents()
    assert incident.severity != "P1" and not slack.events  # held: more may join
    passes(built, [(1, burst(1, 2)), (2, [])])
    assert slack.said() == ["opened"] and mail.said() == ["opened"]
    assert len(built.store.list_incidents()) == 1


def test_the_message_grows_in_place_and_doublings_are_posted(
    app: tuple[App, Told, Told],
) -> None:
    built, slack, mail = app
    passes(
        built,
        [
            *[(0, burst(0, 10)), (1, burst(1, 6)), (3, burst(3, 4)), (6, burst(6, 10))],
            *[(11, burst(11, 15)), (16, burst(16, 10)), (21, burst(21, 40))],
        ],
    )
    assert slack.said() == [
        "opened",
        "refreshed",  # minute 6: five minutes on, grown, nothing else
        "updated:doubled",  # minute 11: 15 → 44 negative since it opened
        "refreshed",
        "updated:doubled",
    ]
    assert mail.said() == ["opened", "updated:doubled", "updated:doubled"]  # no refreshes
    first = slack.events[0].pulse
    assert first is not None
    assert first.negative_last_hour == 15 and first.negative == 15
    assert first.usual_per_hour == pytest.approx(1.0, abs=0.05)
    assert first.trend == "accelerating"
    times = round(first.negative_last_hour / (first.usual_per_hour or 1))
    assert Words("zh").headline(first) == f"负面提及是平时的 {times} 倍，并在加速"
    last = slack.events[-1]
    assert last.pulse is not None and last.pulse.negative == 94
    assert last.incident.announced_negative == 44  # what the thread was told before


def test_the_brands_first_response_is_posted_in_the_thread(
    app: tuple[App, Told, Told],
) -> None:
    built, slack, _ = app
    answer = mention(
        "official",
        "关于小米手机发热问题的说明",
        at=NOW + timedelta(minutes=2),
        author=Author(id="xiaomi", name="小米公司"),
    )
    passes(built, [(0, burst(0, 10)), (1, burst(1, 4)), (3, [answer])])
    assert slack.said()[0] == "opened" and slack.said()[-1] == "updated:response"
    assert slack.said().count("updated:response") == 1
    assert slack.events[-1].incident.first_response_at == answer.published_at


def test_p1_is_never_held(app: tuple[App, Told, Told]) -> None:
    built, slack, _ = app
    passes(built, [(0, burst(0, 60))])
    [incident] = built.store.list_incidents()
    assert incident.severity == "P1" and slack.said() == ["opened"]


@pytest.mark.parametrize(
    ("pulse", "zh", "en"),
    [
        (
            Pulse(negative_last_hour=12, usual_per_hour=2.0, trend="accelerating"),
            "负面提及是平时的 6 倍，并在加速",
            "Negative mentions are 6× the usual, and accelerating",
        ),
        (
            Pulse(negative_last_hour=5, usual_per_hour=2.0, trend="slowing"),
            "负面提及是平时的 2.5 倍，已在放缓",
            "Negative mentions are 2.5× the usual, and slowing down",
        ),
        (
            Pulse(negative_last_hour=9, usual_per_hour=0.1),
            "平时几乎没有负面提及，过去一小时有 9 条，势头未减",
            "Usually almost no negative mentions; 9 in the last hour, not letting up",
        ),
        (
            Pulse(negative_last_hour=9),
            "过去一小时负面提及 9 条，势头未减",
            "9 negative mentions in the last hour, not letting up",
        ),
    ],
)
def test_the_crisis_in_words_a_pr_lead_reads(pulse: Pulse, zh: str, en: str) -> None:
    assert Words("zh").headline(pulse) == zh
    assert Words("en").headline(pulse) == en


def test_the_numbers_behind_the_headline() -> None:
    pulse = Pulse(negative_last_hour=12, usual_per_hour=2.0, mentions=40, negative=30)
    assert Words("zh").pulse_detail(pulse) == (
        "过去一小时负面 12 条，平时每小时 2.0 条；事件开始以来提及 40 条，其中负面 30 条（75%）"
    )
