"""Which notifiers hear about an incident: routes by brand and severity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from alerts.base import Notifier
from listener.config.models import RouteConfig
from listener.domain import Incident


class Router:
    def __init__(self, routes: Sequence[RouteConfig], notifiers: Mapping[str, Notifier]) -> None:
        self.routes = routes
        self.notifiers = notifiers

    def targets(self, incident: Incident) -> list[Notifier]:
        if not self.routes:
            return list(self.notifiers.values())
        names: dict[str, None] = {}
        for route in self.routes:
            if route.brands and incident.brand not in route.brands:
                continue
            if incident.severity in route.severities:
                names.update(dict.fromkeys(route.notifiers))
        return [self.notifiers[n] for n in names]
