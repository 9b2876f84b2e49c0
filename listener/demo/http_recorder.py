"""A local HTTP server that records every request: the stand-in for webhooks and APIs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Recorder:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    status: int = 200
    reply: bytes = b"ok"
    respond: Callable[[Recorded], Reply] | None = None
    """Computes the answer from the request (a stand-in API); default: status + reply."""


@contextmanager
def http_recorder() -> Iterator[Recorder]:
    recorder = Recorder(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            request = Recorded(
                "POST", self.path, dict(self.headers.items()), self.rfile.read(length)
            )
            recorder.requests.append(request)
            status, headers, body = (
                recorder.respond(request)
                if recorder.respond is not None
                else (recorder.status, {}, recorder.reply)
            )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
