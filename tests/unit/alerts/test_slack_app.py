"""Slack through the daemon's App: the outbox's retries, the bad token, button clicks.

Clicks are fed through slack_sdk's own Socket Mode client: the raw envelope is
parsed by ``SocketModeClient.run_message_listeners`` exactly as one read from the
WebSocket is, and the acknowledgement goes back through ``send_message``.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from websockets.sync.server import ServerConnection, serve

from listener.app import App
from listener.config.models import Config
from listener.demo.slack_server import GOOD_TOKEN, SlackServer, slack_server
from listener.domain import IncidentStatus
from tests.factories import T0, complaints

NOW = T0 + timedelta(hours=3)


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with slack_server() as server:
        yield server


@pytest.fixture
def make_app(
    slack: SlackServer, config_for: Callable[[str], Config]
) -> Iterator[Callable[[str], App]]:
    apps: list[App] = []

    def make(token: str = GOOD_TOKEN) -> App:
        app = App.build(
            config_for(
                f"""
                brands: [{{name: 小米}}]
                notifiers:
                  - type: slack
                    name: slack
                    token: {token}
                    app_token: xapp-1-test
                    channel: "#pr-alerts"
                    base_url: {slack.api}
                """
            )
        )
        apps.append(app)
        app.store.bulk_upsert(complaints(NOW))
        return app

    yield make
    for app in apps:
        app.close()


def top_level(slack: SlackServer) -> list[str]:
    return [c.args["ts"] for c in slack.of("chat.update")] + [
        c.args["channel"] for c in slack.of("chat.postMessage") if "thread_ts" not in c.args
    ]


def test_a_rate_limited_alert_is_retried_after_retry_after_and_sent_once(
    make_app: Callable[[str], App], slack: SlackServer
) -> None:
    app = make_app(GOOD_TOKEN)
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    assert app.detection.detect(NOW)
    assert app.deliveries.deliver(NOW) == {"rate_limited": 1}
    assert app.deliveries.deliver(NOW + timedelta(seconds=5)) == {}  # Retry-After is honoured
    assert app.deliveries.deliver(NOW + timedelta(seconds=8)) == {"sent": 1}
    posts = slack.of("chat.postMessage")
    assert len(posts) == 2 and len(slack.uploads) == 1  # the refused call, then one post
    app.detection.detect(NOW + timedelta(minutes=1))  # the same incident, unchanged severity
    assert app.deliveries.deliver(NOW + timedelta(minutes=1)) == {}  # nothing new to say


def test_network_failures_back_off_and_never_block_detection(
    make_app: Callable[[str], App], slack: SlackServer
) -> None:
    app = make_app(GOOD_TOKEN)
    slack.fail_next("chat.postMessage", status=503, error="service_unavailable")
    slack.fail_next("chat.postMessage", status=503, error="service_unavailable")
    app.detection.detect(NOW)
    assert app.deliveries.deliver(NOW) == {"retry": 1}
    # waits are retry_delay, then doubled, each shortened by up to 10 % of jitter
    assert app.deliveries.deliver(NOW + timedelta(seconds=26)) == {}
    assert app.deliveries.deliver(NOW + timedelta(seconds=30)) == {"retry": 1}  # after retry_delay
    assert app.deliveries.deliver(NOW + timedelta(seconds=83)) == {}  # the wait doubled
    assert app.deliveries.deliver(NOW + timedelta(seconds=90)) == {"sent": 1}


def test_a_bad_token_is_reported_once_and_its_messages_wait(
    make_app: Callable[[str], App], slack: SlackServer
) -> None:
    app = make_app("xoxb-revoked")
    app.detection.detect(NOW)
    assert app.deliveries.deliver(NOW) == {"auth_failed": 1}
    assert app.deliveries.deliver(NOW + timedelta(hours=1)) == {}
    assert len(slack.calls) == 1  # not hammering Slack with a token it refused
    assert "invalid_auth" in app.deliveries.paused["slack"]
    assert app.outbox.depth(NOW.timestamp()).pending == 1  # kept for after the fix


def envelope(action_id: str, incident_id: str, user: str, envelope_id: str) -> str:
    """A block_actions envelope as Slack sends it over the Socket Mode WebSocket."""
    return json.dumps(
        {
            "envelope_id": envelope_id,
            "type": "interactive",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": {
                "type": "block_actions",
                "user": {"id": user, "username": "alice", "name": "alice", "team_id": "T0"},
                "api_app_id": "A0",
                "container": {
                    "type": "message",
                    "message_ts": "1763900000.000001",
                    "channel_id": "C0PRALERT",
                },
                "channel": {"id": "C0PRALERT", "name": "pr-alerts"},
                "actions": [
                    {
                        "action_id": action_id,
                        "block_id": f"incident:{incident_id}",
                        "type": "button",
                        "value": incident_id,
                        "action_ts": "1763900100.000200",
                    }
                ],
            },
        }
    )


def click(app: App, action_id: str, incident_id: str, user: str, envelope_id: str) -> list[str]:
    """One click parsed by slack_sdk's Socket Mode client; returns what it sent back."""
    (actions,) = app.action_listeners()
    sent: list[str] = []
    actions.client.send_message = sent.append  # type: ignore[method-assign]
    raw = envelope(action_id, incident_id, user, envelope_id)
    actions.client.run_message_listeners(json.loads(raw), raw)
    actions.close()
    return sent


def test_button_clicks_are_recorded_on_the_incident_and_told_in_the_thread(
    make_app: Callable[[str], App], slack: SlackServer
) -> None:
    app = make_app(GOOD_TOKEN)
    (event,) = app.detection.detect(NOW)
    app.deliveries.deliver(NOW)
    incident_id = event.incident.id
    before = datetime.now().astimezone()

    acks = click(app, "listener.acknowledge", incident_id, "U0ALICE", "env-1")
    assert [json.loads(a) for a in acks] == [{"envelope_id": "env-1"}]  # answered at once
    stored = app.store.get_incident(incident_id)
    assert stored is not None and stored.status is IncidentStatus.ACKNOWLEDGED
    assert stored.acknowledged_by == "U0ALICE" and stored.acknowledged_at is not None
    assert stored.acknowledged_at >= before
    click(app, "listener.acknowledge", incident_id, "U0BOB", "env-2")  # a second click
    assert app.store.get_incident(incident_id).acknowledged_by == "U0ALICE"  # type: ignore[union-attr]

    click(app, "listener.mute", incident_id, "U0BOB", "env-3")
    muted = app.store.get_incident(incident_id)
    assert muted is not None and muted.muted_by == "U0BOB"
    assert (
        muted.muted_until is not None
        and muted.muted_until - stored.acknowledged_at >= timedelta(minutes=59)
    )

    click(app, "listener.resolve", incident_id, "U0ALICE", "env-4")
    resolved = app.store.get_incident(incident_id)
    assert resolved is not None and resolved.status is IncidentStatus.RESOLVED
    assert resolved.resolved_by == "U0ALICE"

    app.deliveries.deliver()  # the clicks' updates, in order, into the incident's thread
    replies = [c.args["text"] for c in slack.of("chat.postMessage") if "thread_ts" in c.args]
    assert replies[0] == ":eyes: <@U0ALICE> 已确认，正在处理"
    assert replies[1].startswith(":no_bell: <@U0BOB> 静音至 ")
    assert replies[2].startswith(":white_check_mark: <@U0ALICE> 已解决")
    assert len([c for c in slack.of("chat.postMessage") if "thread_ts" not in c.args]) == 1
    final = json.dumps(slack.of("chat.update")[-1].args["blocks"], ensure_ascii=False)
    assert "已解决" in final and "<@U0ALICE> 确认于" in final and "listener.resolve" not in final


def test_clicks_on_unknown_incidents_or_other_apps_buttons_are_ignored(
    make_app: Callable[[str], App], slack: SlackServer
) -> None:
    app = make_app(GOOD_TOKEN)
    assert click(app, "listener.acknowledge", "no-such-incident", "U0ALICE", "env-9")
    assert click(app, "other.app.button", "x", "U0ALICE", "env-10")
    assert app.deliveries.deliver() == {}


def test_a_click_over_a_real_socket_mode_connection(
    make_app: Callable[[str], App], slack: SlackServer
) -> None:
    """The daemon's listener end to end: apps.connections.open, the WebSocket, the
    envelope, the acknowledgement, the incident."""
    app = make_app(GOOD_TOKEN)
    (event,) = app.detection.detect(NOW)
    app.deliveries.deliver(NOW)
    acks: queue.Queue[str] = queue.Queue()

    def socket(ws: ServerConnection) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1}))
        ws.send(envelope("listener.acknowledge", event.incident.id, "U0CAROL", "env-ws"))
        acks.put(str(ws.recv(timeout=10)))
        for _ in ws:  # keep the connection until the client closes it
            pass

    with serve(socket, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        slack.socket_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
        (actions,) = app.action_listeners()
        try:
            actions.start()
            assert json.loads(acks.get(timeout=10)) == {"envelope_id": "env-ws"}
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                stored = app.store.get_incident(event.incident.id)
                if stored is not None and stored.acknowledged_by == "U0CAROL":
                    break
                time.sleep(0.05)
            else:
                raise AssertionError("the click was not recorded on the incident")
        finally:
            actions.close()
            server.shutdown()
            thread.join(timeout=5)
    assert [c.headers["Authorization"] for c in slack.of("apps.connections.open")] == [
        "Bearer xapp-1-test"
    ]
    assert app.deliveries.deliver() == {"sent": 1}  # the thread hears about it
