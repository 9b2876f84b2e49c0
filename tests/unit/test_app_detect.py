"""One detection pass through the App: signals, incidents, notifications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from alerts.base import AS_CONFIGURED, Delivery
from alerts.catalogue import Words
from listener.app import App
from listener.backtest import RecordingNotifier
from listener.config.models import Config
from listener.domain import IncidentEvent, SourceHealth
from tests.factories import T0, complaints


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
