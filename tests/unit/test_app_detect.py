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


def _crash_after_saving(app: App, now: object) -> None:
    """What a kill between saving an incident and queueing its announcement leaves: the
    incident in the store, nothing in the outbox."""
    from listener.detectors.base import DetectContext, detect_pass

    detection = app.detection
    names = tuple(b.name for b in detection.config.brands)
    context = DetectContext.prepare(detection.store, now, names, detection.series, ())  # type: ignore[arg-type]
    assert detection.incidents.apply(detect_pass(detection.detectors, context), now)  # type: ignore[arg-type]
    assert app.outbox.depth(0).pending == 0


def test_an_incident_saved_before_a_crash_is_announced_as_new_after_it(
    config_for: Callable[[str], Config],
) -> None:
    config = config_for("brands: [{name: 小米}]\n")
    now = T0 + timedelta(hours=3)
    first = App.build(config)
    try:
        first.store.bulk_upsert(complaints(now))
        _crash_after_saving(first, now)
    finally:
        first.close()
    # restarted, and the pile-on goes on: the first message says 新事件, not 更新
    recorder = Events()
    again = App.build(config, notifiers={recorder.name: recorder})
    try:
        again.detection.detect(now + timedelta(minutes=1))
        again.deliveries.deliver(now + timedelta(minutes=1))
    finally:
        again.close()
    assert [e.change for e in recorder.events] == ["opened"]


def test_an_incident_saved_before_a_crash_is_announced_even_if_its_signal_died(
    config_for: Callable[[str], Config],
) -> None:
    config = config_for("brands: [{name: 小米}]\n")
    now = T0 + timedelta(hours=3)
    first = App.build(config)
    try:
        first.store.bulk_upsert(complaints(now))
        _crash_after_saving(first, now)
        first.store.prune(now + timedelta(days=400))  # the posts are gone: no signal any more
    finally:
        first.close()
    recorder = Events()
    again = App.build(config, notifiers={recorder.name: recorder})
    try:
        later = now + timedelta(minutes=30)
        again.detection.detect(later)
        again.deliveries.deliver(later)
        again.detection.detect(later + timedelta(minutes=1))  # announced once
        again.deliveries.deliver(later + timedelta(minutes=1))
    finally:
        again.close()
    assert [e.change for e in recorder.events] == ["opened"]
