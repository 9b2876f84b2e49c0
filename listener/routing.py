"""Which notifiers hear about an incident, in which channel, and who is @-mentioned.

Routes match by brand and severity; a route's notifier that is not in use (a replay
with ``--notifiers``) is skipped. A route with a team follows the team's hours:
outside on-call hours, or inside quiet hours, only P1 goes out, to the team's
escalation channel; P1 alerts @-mention the team's on-call group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from alerts.base import Delivery, Notifier
from listener.config.models import RouteConfig, TeamConfig
from listener.domain import Incident


class Router:
    def __init__(
        self,
        routes: Sequence[RouteConfig],
        notifiers: Mapping[str, Notifier],
        teams: Sequence[TeamConfig] = (),
    ) -> None:
        self.routes = routes
        self.notifiers = notifiers
        self.teams = {t.name: t for t in teams}

    def deliveries(
        self, incident: Incident, now: datetime, on_duty_only: bool = True
    ) -> list[tuple[Notifier, Delivery]]:
        """Each notifier (once) with where its message goes. ``on_duty_only=False``: the
        team's hours do not hold the message back (a person acted on the incident)."""
        if not self.routes:
            return [(n, Delivery()) for n in self.notifiers.values()]
        found: dict[str, Delivery] = {}
        for route in self.routes:
            if route.brands and incident.brand not in route.brands:
                continue
            if incident.severity not in route.severities:
                continue
            team = self.teams.get(route.team) if route.team else None
            channel = route.channel
            if team is not None and on_duty_only and not team.on_duty(now):
                if incident.severity != "P1":
                    continue
                channel = team.escalation_channel or channel
            mention = team.on_call_group if team and incident.severity == "P1" else None
            for name in route.notifiers:
                found.setdefault(name, Delivery(channel=channel, mention=mention))
        return [(self.notifiers[name], to) for name, to in found.items() if name in self.notifiers]
