"""Prometheus metrics and the local ``/healthz`` + ``/metrics`` HTTP endpoint.

Every metric lives in one CollectorRegistry owned by the daemon (no globals),
so tests and several daemons in one process never share counters.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.collected = Counter(
            "listener_mentions_collected",
            "Mentions spooled by crawls",
            ["source"],
            registry=self.registry,
        )
        self.crawl_errors = Counter(
            "listener_crawl_errors",
            "Pages or items a crawl could not use (bad bodies, changed layouts)",
            ["source"],
            registry=self.registry,
        )
        self.crawls = Counter(
            "listener_crawls",
            "Crawls run, by outcome",
            ["source", "outcome"],
            registry=self.registry,
        )
        self.indexed = Counter(
            "listener_mentions_indexed", "Mentions written to the store", registry=self.registry
        )
        self.spool_depth = Gauge(
            "listener_spool_depth", "Spool entries by state", ["state"], registry=self.registry
        )
        self.job_seconds = Histogram(
            "listener_job_duration_seconds",
            "Scheduled job durations",
            ["job"],
            registry=self.registry,
            buckets=(0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900),
        )
        self.notifications = Counter(
            "listener_notifications",
            "Outbox delivery attempts by notifier, kind and outcome",
            ["notifier", "kind", "outcome"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "listener_outbox_pending",
            "Alerts and digests waiting in the outbox",
            registry=self.registry,
        )
        self.job_failures = Counter(
            "listener_job_failures", "Scheduled jobs that raised", ["job"], registry=self.registry
        )
        self.last_success = Gauge(
            "listener_source_last_success_timestamp_seconds",
            "Unix time of each source's last successful crawl",
            ["source"],
            registry=self.registry,
        )
        self.source_healthy = Gauge(
            "listener_source_healthy",
            "1 when the source is healthy",
            ["source"],
            registry=self.registry,
        )
        self.open_incidents = Gauge(
            "listener_open_incidents", "Incidents not yet resolved", registry=self.registry
        )
        self.store_up = Gauge(
            "listener_store_up", "1 when the store answers", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _json_default(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


class HealthReport(Protocol):
    """What the health check returns (``listener.health.DaemonHealth``)."""

    @property
    def ok(self) -> bool: ...

    def as_json(self) -> dict[str, Any]: ...


HealthCheck = Callable[[], HealthReport]


class HealthServer:
    """Serves ``GET /healthz`` (200 or 503, JSON) and ``GET /metrics`` on a local port."""

    def __init__(self, host: str, port: int, metrics: Metrics, health: HealthCheck) -> None:
        metrics_ref, health_ref = metrics, health

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] == "/metrics":
                    self._send(200, CONTENT_TYPE_LATEST, metrics_ref.render())
                elif self.path.split("?")[0] == "/healthz":
                    report = health_ref()
                    body = json.dumps(
                        report.as_json(), ensure_ascii=False, default=_json_default
                    ).encode()
                    self._send(200 if report.ok else 503, "application/json; charset=utf-8", body)
                else:
                    self._send(404, "text/plain; charset=utf-8", b"not found\n")

            def _send(self, code: int, content_type: str, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Requests are not logged: scrapes every few seconds would drown the log."""

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="health-http"
        )

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
