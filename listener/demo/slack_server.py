"""A local stand-in for Slack's Web API and incoming webhooks, answering like Slack.

``WebClient(base_url=server.api)`` talks to it. Every call is recorded with its
parsed arguments; ``fail_next`` makes the next call of a method fail the way
Slack does (HTTP 429 with Retry-After, or ``ok: false`` with an error code).
Tokens other than ``GOOD_TOKEN`` are refused with ``invalid_auth``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from listener.demo.http_recorder import Recorded, Recorder, Reply, http_recorder

GOOD_TOKEN = "xoxb-test-good"
CHANNEL_IDS = {"#pr-alerts": "C0PRALERT", "#escalation": "C0ESCALAT", "#ops": "C0OPS0000"}


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class SlackServer:
    recorder: Recorder
    calls: list[Call] = field(default_factory=list)
    uploads: list[bytes] = field(default_factory=list)
    webhook_posts: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    socket_url: str = "ws://127.0.0.1:9/unused"
    """What ``apps.connections.open`` hands out (a Socket Mode WebSocket)."""
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def api(self) -> str:
        return self.recorder.url + "/api/"

    @property
    def webhook(self) -> str:
        return self.recorder.url + "/services/T000/B000/secret"

    def fail_next(
        self,
        method: str,
        status: int = 200,
        error: str = "",
        retry_after: int | None = None,
    ) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = {"ok": False, "error": error or "ratelimited"}
        self.failures.setdefault(method, []).append(Failure(status, body, headers))

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def respond(self, request: Recorded) -> Reply:
        path = request.path.split("?", 1)[0]
        if path.startswith("/upload/"):
            self.uploads.append(request.body)
            return 200, {}, b"OK - " + str(len(request.body)).encode()
        if path.startswith("/services/"):
            self.webhook_posts.append(json.loads(request.body))
            return 200, {}, b"ok"
        method = path.removeprefix("/api/")
        call = Call(method, _args(request), request.headers)
        self.calls.append(call)
        pending = self.failures.get(method)
        if pending:
            failure = pending.pop(0)
            return failure.status, failure.headers, json.dumps(failure.body).encode()
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if method == "apps.connections.open" and token.startswith("xapp-"):
            return _json({"ok": True, "url": self.socket_url})
        if token != GOOD_TOKEN:
            return _json({"ok": False, "error": "invalid_auth"})
        return _json(self._answer(call))

    def _answer(self, call: Call) -> dict[str, Any]:
        args = call.args
        channel = CHANNEL_IDS.get(str(args.get("channel", "")), str(args.get("channel", "")))
        match call.method:
            case "chat.postMessage":
                ts = f"1763900000.{next(self._ts):06d}"
                return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}
            case "chat.update":
                return {"ok": True, "channel": channel, "ts": args.get("ts")}
            case "files.getUploadURLExternal":
                file_id = f"F{len(self.uploads) + 1:08d}"
                return {
                    "ok": True,
                    "upload_url": f"{self.recorder.url}/upload/{file_id}",
                    "file_id": file_id,
                }
            case "files.completeUploadExternal":
                files = json.loads(args.get("files", "[]"))
                return {
                    "ok": True,
                    "files": [{"id": f["id"], "title": f.get("title")} for f in files],
                }
            case "files.info":
                return {"ok": True, "file": {"id": args.get("file")}}
        return {"ok": True}


def _args(request: Recorded) -> dict[str, Any]:
    body = request.body.decode("utf-8")
    if request.headers.get("Content-Type", "").startswith("application/json"):
        parsed: dict[str, Any] = json.loads(body or "{}")
        return parsed
    query = request.path.split("?", 1)[1] if "?" in request.path else ""
    return dict(parse_qsl(query)) | dict(parse_qsl(body))


def _json(payload: dict[str, Any]) -> Reply:
    return 200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(payload).encode()


@contextmanager
def slack_server() -> Iterator[SlackServer]:
    with http_recorder() as recorder:
        server = SlackServer(recorder)
        recorder.respond = server.respond
        yield server
