"""A local HTTP server standing in for the platforms: it answers each request from a
routing function (status, headers, body) and records what it was asked, so a real
Scrapy crawl can be run end to end with no network."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass(frozen=True)
class Asked:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[Asked], Answer]


class PlatformServer:
    def __init__(self, route: Route) -> None:
        self.route = route
        self.asked: list[Asked] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                url = urlparse(self.path)
                asked = Asked(
                    url.path,
                    {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()},
                    {k.lower(): v for k, v in self.headers.items()},
                )
                server.asked.append(asked)
                answer = server.route(asked)
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json; charset=utf-8", **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                # the client may give up early (a page over the size limit)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(answer.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> PlatformServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def paths(self) -> list[str]:
        return [a.path for a in self.asked]


def serve(route: Route) -> Iterator[PlatformServer]:
    with PlatformServer(route) as server:
        yield server
