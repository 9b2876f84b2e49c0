"""Button clicks from Slack over Socket Mode: no public HTTP endpoint needed.

The app-level token opens a WebSocket to Slack (``slack_sdk.socket_mode``); each
click arrives as an ``interactive`` request carrying a ``block_actions`` payload.
It is acknowledged at once (Slack wants that within 3 seconds) and handed to the
daemon as an ``IncidentAction``; the daemon records it on the incident and
queues the thread update through the outbox like any other change.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from alerts.base import OnAction
from alerts.slack_blocks import ACK, MUTE, RESOLVE
from listener.domain import IncidentAction, utcnow
from listener.logs import get_logger

log = get_logger(__name__)
KINDS = {ACK: "acknowledged", RESOLVE: "resolved", MUTE: "muted"}


def parse_actions(req: SocketModeRequest, now: datetime) -> list[tuple[str, IncidentAction]]:
    """The incident buttons clicked in one Socket Mode request (others are ignored)."""
    payload = req.payload
    if req.type != "interactive" or payload.get("type") != "block_actions":
        return []
    user = payload.get("user") or {}
    who = str(user.get("id") or "")
    found: list[tuple[str, IncidentAction]] = []
    for action in payload.get("actions") or []:
        kind = KINDS.get(str(action.get("action_id", "")))
        incident_id = str(action.get("value") or "")
        if kind is None or not incident_id or not who:
            continue
        found.append(
            (incident_id, IncidentAction.model_validate({"kind": kind, "by": who, "at": now}))
        )
    return found


class SlackActions:
    """Listens for clicks on Listener's buttons and calls ``on_action`` for each."""

    def __init__(self, app_token: str, web_client: WebClient, on_action: OnAction) -> None:
        self.on_action = on_action
        self.client = SocketModeClient(app_token=app_token, web_client=web_client)
        self.client.socket_mode_request_listeners.append(self.handle)

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
        for incident_id, action in parse_actions(req, utcnow()):
            try:
                self.on_action(incident_id, action)
            except Exception as exc:  # one bad click must not stop the listener
                log.error("button click not recorded", incident=incident_id, error=str(exc))

    def start(self) -> None:
        """Connect (in the client's own threads); reconnects by itself after drops."""
        self.client.connect()
        log.info("slack socket mode connected")

    def close(self) -> None:
        self.client.close()
