from __future__ import annotations

from datetime import datetime, timedelta

from listener.config.models import IncidentsConfig
from listener.domain import Author, IncidentAction, IncidentStatus, Severity, Signal
from listener.incidents import IncidentManager
from listener.stores.sqlite import SqliteStore
from tests.factories import T0, mention, said

CONFIG = IncidentsConfig(cooldown=timedelta(minutes=30), resolve_after=timedelta(hours=2))


def signal(
    at: datetime,
    severity: Severity = "P3",
    brand: str = "小米",
    key: str = "negative-volume",
    detector: str = "negative_volume",
) -> Signal:
    return Signal(
        detector=detector,
        brand=brand,
        key=key,
        severity=severity,
        score=0.7,
        message="negative_surge.count",
        facts={"minutes": 15, "count": 47, "ratio": 6.0},
        detected_at=at,
        window_start=at - timedelta(minutes=15),
        window_end=at,
        parts={"count": 47, "ratio": 6.0},
        mention_ids=("weibo:1",),
    )


def test_one_crisis_is_one_incident_updated_escalated_then_resolved(
    sqlite_store: SqliteStore,
) -> None:
    manager = IncidentManager(sqlite_store, CONFIG)
    [opened] = manager.apply([signal(T0)], T0)
    assert opened.change == "opened" and opened.incident.status is IncidentStatus.OPEN

    [updated] = manager.apply([signal(T0 + timedelta(minutes=1))], T0 + timedelta(minutes=1))
    assert updated.change == "updated" and updated.incident.id == opened.incident.id

    t2 = T0 + timedelta(minutes=2)
    [escalated] = manager.apply([signal(t2, "P1"), signal(t2, "P2", detector="crisis_terms")], t2)
    assert escalated.change == "escalated"
    assert escalated.incident.severity == "P1"
    assert escalated.incident.status is IncidentStatus.ESCALATED
    assert escalated.incident.detectors == ("crisis_terms", "negative_volume")
    assert len(sqlite_store.list_incidents()) == 1

    assert manager.apply([], t2 + timedelta(hours=1)) == []  # still within the calm period
    [resolved] = manager.apply([], t2 + timedelta(hours=2))
    assert resolved.change == "resolved" and resolved.incident.resolved_at is not None
    assert sqlite_store.list_incidents(open_only=True) == []


def test_one_crisis_is_one_incident_per_brand(sqlite_store: SqliteStore) -> None:
    manager = IncidentManager(sqlite_store, CONFIG)
    events = manager.apply(
        [
            signal(T0, key="brand"),
            signal(T0, brand="蔚来", key="brand"),
            signal(T0, key="thread:weibo:9", detector="viral_thread"),
        ],
        T0,
    )
    assert sorted((e.incident.brand, e.incident.key) for e in events) == [
        ("小米", "brand"),
        ("蔚来", "brand"),
    ]  # the thread joined its brand's open incident
    xiaomi = next(e.incident for e in events if e.incident.brand == "小米")
    assert xiaomi.detectors == ("negative_volume", "viral_thread")
    assert 0.9 < xiaomi.crisis_score < 1  # noisy-OR of two 0.7 scores
    # a water army piling onto the crisis is part of it (issue 16: it was a second message)
    [army] = manager.apply([signal(T0, key="coordinated", detector="coordinated")], T0)
    assert army.incident.id == xiaomi.id and army.change == "escalated"  # 3 detectors agree
    assert "coordinated" in army.incident.detectors
    # on a calm brand a coordinated burst is its own incident: a possible smear campaign
    [smear] = manager.apply(
        [signal(T0, brand="理想", key="coordinated", detector="coordinated")], T0
    )
    assert smear.change == "opened" and smear.incident.key == "coordinated"


def test_a_thread_without_a_brand_incident_gets_its_own(sqlite_store: SqliteStore) -> None:
    manager = IncidentManager(sqlite_store, CONFIG)
    [thread] = manager.apply([signal(T0, key="thread:weibo:9", detector="viral_thread")], T0)
    assert thread.incident.key == "thread:weibo:9"
    [joined] = manager.apply([signal(T0, key="brand")], T0)  # brand-wide signal joins it
    assert joined.incident.id == thread.incident.id and joined.change == "updated"


def test_a_storm_of_threads_on_a_calm_day_is_one_incident(sqlite_store: SqliteStore) -> None:
    """Issue 16: each growing negative thread opened its own incident (85 top-level
    Slack messages in 90 minutes for one crisis). Now the threads of a calm brand share
    one incident, also across passes, and a brand-wide signal joins it."""
    manager = IncidentManager(sqlite_store, CONFIG)
    storm = [signal(T0, key=f"thread:weibo:{i}", detector="viral_thread") for i in range(20)]
    events = manager.apply(storm, T0)
    assert [e.change for e in events] == ["opened"]
    first = events[0].incident
    t1 = T0 + timedelta(minutes=10)
    later = manager.apply([signal(t1, key="thread:weibo:77", detector="viral_thread")], t1)
    assert [(e.change, e.incident.id) for e in later] == [("updated", first.id)]
    [brand] = manager.apply([signal(t1, key="brand")], t1)
    assert brand.incident.id == first.id
    [other] = manager.apply([signal(t1, brand="蔚来", key="thread:weibo:5", detector="v")], t1)
    assert other.incident.id != first.id and other.change == "opened"  # per brand
    assert len(sqlite_store.list_incidents(open_only=True)) == 2


def test_three_detectors_agreeing_raise_the_severity(sqlite_store: SqliteStore) -> None:
    [event] = IncidentManager(sqlite_store, CONFIG).apply(
        [signal(T0, "P3", key="brand", detector=d) for d in ("a", "b", "c")], T0
    )
    assert event.incident.severity == "P2"


def test_notifications_survive_a_restart_without_repeating(sqlite_store: SqliteStore) -> None:
    first = IncidentManager(sqlite_store, CONFIG)
    [event] = first.apply([signal(T0)], T0)
    assert first.should_notify(event.incident, T0)
    first.mark_notified(event.incident, T0)

    restarted = IncidentManager(sqlite_store, CONFIG)  # a new process, same store
    t1 = T0 + timedelta(minutes=5)
    [again] = restarted.apply([signal(t1)], t1)
    assert not restarted.should_notify(again.incident, t1)  # same severity, within cooldown
    t2 = T0 + timedelta(minutes=31)
    [later] = restarted.apply([signal(t2)], t2)
    assert restarted.should_notify(later.incident, t2)  # reminder after the cooldown
    [up] = restarted.apply([signal(t2, "P1")], t2)
    assert restarted.should_notify(up.incident, t2)  # escalation always
    restarted.mark_notified(up.incident, t2)
    [resolved] = restarted.apply([], t2 + timedelta(hours=3))
    assert restarted.should_notify(resolved.incident, t2 + timedelta(hours=3))


def test_failed_delivery_is_retried_on_the_next_pass(sqlite_store: SqliteStore) -> None:
    manager = IncidentManager(sqlite_store, CONFIG)
    manager.apply([signal(T0)], T0)  # delivery failed: never marked
    [again] = manager.apply([signal(T0 + timedelta(minutes=1))], T0 + timedelta(minutes=1))
    assert manager.should_notify(again.incident, T0 + timedelta(minutes=1))


def test_an_unannounced_incident_resolves_silently(sqlite_store: SqliteStore) -> None:
    manager = IncidentManager(sqlite_store, CONFIG)
    manager.apply([signal(T0)], T0)
    [resolved] = manager.apply([], T0 + timedelta(hours=3))
    assert not manager.should_notify(resolved.incident, T0 + timedelta(hours=3))


def test_silence_is_escalated_and_a_response_is_recorded(sqlite_store: SqliteStore) -> None:
    manager = IncidentManager(sqlite_store, CONFIG)
    official = {"小米": ("xiaomi-official",)}
    [opened] = manager.apply([signal(T0, "P3", key="brand")], T0)
    assert manager.check_responses(T0 + timedelta(minutes=30), official) == []
    [silent] = manager.check_responses(T0 + timedelta(minutes=61), official)
    assert silent.change == "escalated" and silent.incident.severity == "P2"
    assert silent.incident.silent_for_minutes == 61
    title = "负面提及 15 分钟内 47 条，是平时的 6.0 倍（已 61 分钟无官方回应）"
    assert said(silent.incident) == title
    assert said(silent.incident, "en").endswith("(no official response for 61 min)")
    assert manager.should_notify(silent.incident, T0 + timedelta(minutes=61))
    assert manager.check_responses(T0 + timedelta(minutes=90), official) == []  # only once

    answer = mention(
        "answer",
        "关于网传小米汽车问题的说明",
        minutes=95,
        author=Author(id="xiaomi-official", name="小米公司", verified=True),
    )
    sqlite_store.bulk_upsert([answer])
    [recorded] = manager.check_responses(T0 + timedelta(minutes=100), official)
    assert recorded.incident.first_response_at == answer.published_at
    assert recorded.incident.id == opened.incident.id


def test_a_muted_incident_holds_reminders_but_not_escalations(sqlite_store: SqliteStore) -> None:
    manager = IncidentManager(sqlite_store, CONFIG)
    [event] = manager.apply([signal(T0)], T0)
    manager.mark_notified(event.incident, T0)
    muted = manager.act(event.incident.id, IncidentAction(kind="muted", by="U0BOB", at=T0))
    assert muted is not None and muted.incident.muted_until == T0 + timedelta(hours=1)
    t1 = T0 + timedelta(minutes=40)  # past the 30-minute reminder cooldown, inside the mute
    [again] = manager.apply([signal(t1)], t1)
    assert not manager.should_notify(again.incident, t1)
    [worse] = manager.apply([signal(t1, "P1")], t1)
    assert manager.should_notify(worse.incident, t1)  # it got worse: people must know
    manager.mark_notified(worse.incident, t1)
    t2 = T0 + timedelta(minutes=61)
    [after] = manager.apply([signal(t2, "P1")], t2)
    assert not manager.should_notify(after.incident, t2)
    assert manager.should_notify(after.incident, t1 + timedelta(minutes=31))  # mute is over


def test_person_actions_are_recorded_once(sqlite_store: SqliteStore) -> None:
    manager = IncidentManager(sqlite_store, CONFIG)
    [event] = manager.apply([signal(T0)], T0)
    at = T0 + timedelta(minutes=3)
    ack = manager.act(event.incident.id, IncidentAction(kind="acknowledged", by="U0ALICE", at=at))
    assert ack is not None and ack.change == "updated" and ack.action is not None
    assert ack.incident.acknowledged_at == at and ack.incident.acknowledged_by == "U0ALICE"
    assert (
        manager.act(event.incident.id, IncidentAction(kind="acknowledged", by="U0B", at=at)) is None
    )
    done = manager.act(event.incident.id, IncidentAction(kind="resolved", by="U0ALICE", at=at))
    assert done is not None and done.change == "resolved"
    assert (
        done.incident.status is IncidentStatus.RESOLVED and done.incident.resolved_by == "U0ALICE"
    )
    assert manager.act(event.incident.id, IncidentAction(kind="muted", by="U0B", at=at)) is None
    assert manager.act("unknown", IncidentAction(kind="resolved", by="U0B", at=at)) is None
