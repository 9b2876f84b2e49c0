"""One detection pass through the App: signals, incidents, notifications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from alerts.base import AS_CONFIGURED, Delivery
from alerts.catalogue import Words
from listener.app import App
from listener.backtest import RecordingNotifier
from listener.config.models import Config
from listener.domain import IncidentEvent, SourceHealth
from tests.factories import T0, complaints, incident, mention


class Events(RecordingNotifier):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[IncidentEvent] = []

    def notify(self, event: IncidentEvent, to: Delivery = AS_CONFIGURED) -> None:
        self.events.append(event)


def test_announcements_say_when_collection_is_impaired(
    config_for: Callable[[str], Config],
) -> None:
    recorder = Events()
    app = App.build(
        config_for("brands: [{name: 小米}]\nkibana: {url: 'https://kibana.example.com'}\n"),
        notifiers={recorder.name: recorder},
    )
    now = T0 + timedelta(hours=3)
    try:
        app.store.bulk_upsert(complaints(now))
        app.store.save_source_health(
            SourceHealth(source="weibo", healthy=False, reason="login wall")
        )
        events = app.detection.detect(now)
        assert events and not recorder.events  # detection only queues: never waits on delivery
        assert app.deliveries.deliver(now) == {"sent": 1}
        assert app.deliveries.deliver(now) == {}  # delivered once
    finally:
        app.close()
    assert recorder.events
    announced = recorder.events[0].incident
    assert recorder.events[0].impaired_sources == ("weibo",)
    assert "数据源异常：weibo" in Words("zh").event_title(recorder.events[0])
    assert "sources impaired: weibo" in Words("en").event_title(recorder.events[0])
    assert announced.parts["unhealthy_sources"] == 1
    assert recorder.events[0].top_mentions
    volume = recorder.events[0].volume  # the alert's chart: the last 6 hours by sentiment
    assert len(volume) == 24 and sum(p.negative for p in volume) == 30
    assert volume[-1].start <= now < volume[-1].start + timedelta(minutes=15)
    link = recorder.events[0].links["kibana"]  # analysts land on the incident's posts
    assert (
        link.startswith("https://kibana.example.com/app/discover#/")
        and "%E5%B0%8F%E7%B1%B3" in link
    )


def crashed_after_saving(config: Config, now: datetime, signal_dies: bool) -> None:
    """What a kill between saving an incident and queueing its announcement leaves: the
    incident in the store, nothing in the outbox (``signal_dies``: and its posts gone)."""
    from listener.detectors.base import DetectContext, detect_pass

    app = App.build(config)
    try:
        app.store.bulk_upsert(complaints(now))
        detection = app.detection
        names = tuple(b.name for b in detection.config.brands)
        context = DetectContext.prepare(detection.store, now, names, detection.series, ())
        assert detection.incidents.apply(detect_pass(detection.detectors, context), now)
        assert app.outbox.depth(0).pending == 0
        if signal_dies:
            app.store.prune(now + timedelta(days=400))
    finally:
        app.close()


def announced_after_restart(config: Config, passes: list[datetime]) -> list[str]:
    recorder = Events()
    again = App.build(config, notifiers={recorder.name: recorder})
    try:
        for at in passes:
            again.detection.detect(at)
            again.deliveries.deliver(at)
    finally:
        again.close()
    return [e.change for e in recorder.events]


@pytest.mark.parametrize("signal_dies", [False, True], ids=["pile-on-goes-on", "signal-died"])
def test_an_incident_saved_before_a_crash_is_announced_once_as_new(
    config_for: Callable[[str], Config], signal_dies: bool
) -> None:
    """Restarted, the first message says 新事件 (not 更新) — also when the signal has died
    out by then (it waited for the silence escalation) — and it goes out once."""
    config = config_for("brands: [{name: 小米}]\n")
    now = T0 + timedelta(hours=3)
    crashed_after_saving(config, now, signal_dies)
    later = now + timedelta(minutes=30 if signal_dies else 1)
    assert announced_after_restart(config, [later, later + timedelta(minutes=1)]) == ["opened"]


def test_an_alert_shows_the_most_engaging_posts_once_per_wording(
    config_for: Callable[[str], Config],
) -> None:
    """Found by ``listener demo``: the incident's posts were shown newest signal first —
    five copies of one small complaint, not the reviewer's post reposted 6,000 times."""
    app = App.build(config_for("brands: [{name: 小米}]\n"))
    copies = [
        mention(f"c{i}", "小米电池鼓包，已经投诉了", sentiment="negative", minutes=i)
        for i in range(6)
    ]
    viral = mention("root", "小米手机充电冒烟", sentiment="negative", reposts=6000)
    other = mention("other", "小米售后不理人", sentiment="negative", reposts=3)
    try:
        app.store.bulk_upsert([*copies, viral, other])
        ids = tuple(m.id for m in [*copies, other, viral])
        top = app.detection._top_mentions(incident(mention_ids=ids))
    finally:
        app.close()
    assert [m.native_id for m in top] == ["root", "other", "c0"]
