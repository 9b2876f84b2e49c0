"""Routing: per brand and severity, team on-call and quiet hours, @-mentions for P1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from alerts.base import Delivery
from listener.config.models import Config
from listener.config.types import parse_hours, within
from listener.plugins import build_notifiers
from listener.routing import Router
from tests.factories import incident

CONFIG = """
brands: [{name: 小米}, {name: 蔚来}]
notifiers:
  - {type: console, name: console}
  - {type: slack, name: slack, webhook_url: "http://127.0.0.1:9/hook"}
teams:
  - name: pr
    on_call: "09:00-21:00"
    quiet_hours: "12:00-13:00"
    timezone: Asia/Shanghai
    escalation_channel: "#escalation"
    on_call_group: S0ONCALL1
routing:
  - {brands: [小米], severities: [P1, P2], notifiers: [slack], channel: "#xiaomi-pr", team: pr}
  - {severities: [P1], notifiers: [console]}
"""


def shanghai(hour: int, minute: int = 0) -> datetime:
    return (
        datetime(2026, 11, 20, hour - 8, minute, tzinfo=UTC)
        if hour >= 8
        else datetime(2026, 11, 19, hour + 16, minute, tzinfo=UTC)
    )


@pytest.fixture
def router(config_for: Callable[[str], Config]) -> Router:
    config = config_for(CONFIG)
    return Router(config.routing, build_notifiers(config), config.teams)


def routed(router: Router, brand: str, severity: str, at: datetime) -> dict[str, Delivery]:
    inc = incident(brand=brand, severity=severity)
    return {n.name: to for n, to in router.deliveries(inc, at)}


def test_on_duty_routes_by_brand_and_severity(router: Router) -> None:
    assert routed(router, "小米", "P2", shanghai(10)) == {"slack": Delivery(channel="#xiaomi-pr")}
    assert routed(router, "小米", "P3", shanghai(10)) == {}
    assert routed(router, "蔚来", "P2", shanghai(10)) == {}
    p1 = routed(router, "小米", "P1", shanghai(10))
    assert p1 == {
        "slack": Delivery(channel="#xiaomi-pr", mention="S0ONCALL1"),
        "console": Delivery(),
    }


@pytest.mark.parametrize("at", [shanghai(3), shanghai(21, 30), shanghai(12, 15)])
def test_off_hours_only_p1_goes_out_to_the_escalation_channel(router: Router, at: datetime) -> None:
    assert routed(router, "小米", "P2", at) == {}
    assert routed(router, "小米", "P1", at)["slack"] == Delivery(
        channel="#escalation", mention="S0ONCALL1"
    )


def test_a_person_acting_off_hours_still_updates_the_thread(router: Router) -> None:
    inc = incident(severity="P2")
    assert [n.name for n, _ in router.deliveries(inc, shanghai(3), on_duty_only=False)] == ["slack"]


def test_no_routes_means_every_notifier(config_for: Callable[[str], Config]) -> None:
    config = config_for("brands: [{name: 小米}]\n")
    router = Router(config.routing, build_notifiers(config), config.teams)
    assert [n.name for n, _ in router.deliveries(incident(), shanghai(3))] == ["console"]


def test_hours_wrap_past_midnight() -> None:
    night = parse_hours("22:00-07:00")
    assert within(night, parse_hours("23:30-23:31")[0])
    assert within(night, parse_hours("06:59-07:00")[0])
    assert not within(night, parse_hours("07:00-08:00")[0])
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        parse_hours("9-21")
