"""``listener run``: APScheduler jobs around the App, health endpoint, clean shutdown.

Jobs: one crawl per source at its interval (own executor, bounded), the enrich
worker every ``spool.poll_interval``, detection every ``daemon.detect_interval``,
and one digest per recipient group at its local time. Misfires coalesce and a
job never overlaps itself. A job that raises is logged and counted; the others
keep running. SIGTERM/SIGINT: stop scheduling, ask running crawls to stop, let
the current batch finish, exit.
"""

from __future__ import annotations

import ipaddress
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from listener.app import App
from listener.health import DaemonHealth
from listener.logs import get_logger
from listener.metrics import HealthServer
from listener.spool import SpoolError
from listener.stores.base import StoreError

log = get_logger(__name__)


class Daemon:
    def __init__(self, app: App) -> None:
        self.app = app
        self.config = app.config
        self.stopping = threading.Event()
        tz = ZoneInfo(self.config.daemon.timezone)
        self.scheduler = BackgroundScheduler(
            executors={
                "default": ThreadPoolExecutor(4),
                "crawl": ThreadPoolExecutor(self.config.daemon.max_concurrent_crawls),
            },
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
            timezone=tz,
        )
        self.http: HealthServer | None = None
        self.actions = app.action_listeners()
        app.deliveries.on_queued = self._wake_delivery

    # -- jobs ----------------------------------------------------------------------------

    def _job(self, name: str, work: Callable[[], Any]) -> None:
        if self.stopping.is_set():
            return
        started = time.monotonic()
        try:
            work()
        except (StoreError, SpoolError) as exc:
            self.app.metrics.job_failures.labels(name).inc()
            log.error("job failed; it runs again at its next time", job=name, error=str(exc))
        except Exception:
            self.app.metrics.job_failures.labels(name).inc()
            log.exception("job crashed; it runs again at its next time", job=name)
        finally:
            self.app.metrics.job_seconds.labels(name).observe(time.monotonic() - started)

    def _crawl(self, source_name: str) -> None:
        source = self.config.source(source_name)
        if source is not None:
            self._job(f"crawl:{source_name}", lambda: self.app.collection.crawl(source))

    def _index(self) -> None:
        self._job("index", lambda: self.app.indexing.index(self.stopping))

    def _detect(self) -> None:
        self._job("detect", self.app.detection.detect)

    def _deliver(self) -> None:
        self._job("deliver", self.app.deliveries.deliver)

    def _wake_delivery(self) -> None:
        """Something was queued: deliver now rather than at the next interval."""
        if self.scheduler.running and not self.stopping.is_set():
            job = self.scheduler.get_job("deliver")
            if job is not None:
                job.modify(next_run_time=datetime.now(ZoneInfo(self.config.daemon.timezone)))

    def _digest(self, group: str) -> None:
        self._job(f"digest:{group}", lambda: self.app.digests.send(group))

    def schedule(self, now: datetime) -> None:
        for source in self.config.sources:
            if not source.enabled:
                continue
            self.scheduler.add_job(
                self._crawl,
                IntervalTrigger(seconds=source.interval.total_seconds()),
                args=[source.name],
                id=f"crawl:{source.name}",
                executor="crawl",
                next_run_time=now,
            )
        self.scheduler.add_job(
            self._index,
            IntervalTrigger(seconds=self.config.spool.poll_interval.total_seconds()),
            id="index",
            next_run_time=now,
        )
        self.scheduler.add_job(
            self._detect,
            IntervalTrigger(seconds=self.config.daemon.detect_interval.total_seconds()),
            id="detect",
        )
        self.scheduler.add_job(
            self._deliver,
            IntervalTrigger(seconds=self.config.outbox.interval.total_seconds()),
            id="deliver",
            next_run_time=now,
        )
        if self.config.digest.enabled:
            for group in self.config.digest.groups:
                self.scheduler.add_job(
                    self._digest,
                    CronTrigger(
                        hour=group.time.hour,
                        minute=group.time.minute,
                        timezone=ZoneInfo(group.timezone),
                    ),
                    args=[group.name],
                    id=f"digest:{group.name}",
                )

    # -- health --------------------------------------------------------------------------

    def health(self) -> DaemonHealth:
        store_ok = self.app.indexing.store_healthy
        try:
            self.app.store.ping()
        except StoreError:
            store_ok = False
        self.app.metrics.store_up.set(1 if store_ok else 0)
        try:
            known = self.app.store.all_source_health() if store_ok else []
        except StoreError:
            known = []
        # while the store is down, the crawls' own record of their sources
        states = {h.source: h for h in (*self.app.collection.source_states(), *known)}
        return DaemonHealth(
            scheduler_running=self.scheduler.running and not self.stopping.is_set(),
            store_ok=store_ok,
            spool=self.app.spool.depth(),
            sources=tuple(states.values()),
            outbox=self.app.outbox.depth(time.time()),
            paused_notifiers=self.app.deliveries.paused,
        )

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        if released := self.app.outbox.release_orphans():
            log.info("messages a stopped process had claimed are due again", count=released)
        self.schedule(datetime.now(ZoneInfo(self.config.daemon.timezone)))
        self.scheduler.start()
        for listener in self.actions:
            try:
                listener.start()
            except Exception as exc:  # Slack unreachable: alerts still go out, clicks wait
                log.error(
                    "slack socket mode not connected; buttons will not work until "
                    "the daemon is restarted",
                    error=str(exc),
                )
        http = self.config.daemon.http
        if http.enabled:
            self.http = HealthServer(http.host, http.port, self.app.metrics, self.health)
            self.http.start()
            host, port = self.http.address
            log.info(
                "health endpoint listening",
                url=f"http://{host}:{port}/healthz",
                metrics=f"http://{host}:{port}/metrics",
            )
            if not _loopback(http.host) and not http.trusted_network:
                log.warning(
                    "health endpoint reachable from the network without authentication: "
                    "/healthz and /metrics show sources, store state and errors",
                    host=http.host,
                    action="bind to 127.0.0.1, put it behind a proxy with authentication, "
                    "or set daemon.http.trusted_network: true",
                )
        log.info(
            "daemon started",
            sources=len(self.config.sources),
            brands=len(self.config.brands),
            store=self.app.store.name,
            spool=str(self.config.spool_path),
            next_digest=self.next_digests() or "none (digest disabled)",
        )

    def next_digests(self) -> str:
        """When each group's digest goes out next, in the group's own time zone."""
        due = []
        for group in self.config.digest.groups if self.config.digest.enabled else ():
            job = self.scheduler.get_job(f"digest:{group.name}")
            if job is not None and job.next_run_time is not None:
                due.append(f"{group.name} {job.next_run_time:%Y-%m-%d %H:%M %Z}")
        return ", ".join(due)

    def stop(self) -> None:
        started = time.monotonic()
        self.stopping.set()
        log.info("stopping: finishing the current batch and stopping crawls")
        self.scheduler.pause()
        self.app.collection.crawls.stop_all()
        for listener in self.actions:
            listener.close()
        self.scheduler.shutdown(wait=True)
        self._flush_outbox()
        if self.http is not None:
            self.http.stop()
        self.app.close()
        log.info("daemon stopped", seconds=round(time.monotonic() - started, 2))

    def _flush_outbox(self) -> None:
        """Send what is due before exiting; what fails stays queued for the next start."""
        try:
            outcomes = self.app.deliveries.deliver()
        except Exception as exc:  # exiting anyway: the outbox keeps what was not sent
            log.warning("outbox not flushed at shutdown", error=str(exc))
            return
        if outcomes:
            log.info("outbox flushed at shutdown", **dict(outcomes))

    def run_forever(self) -> None:
        """Start, block until SIGTERM/SIGINT, stop cleanly."""

        def on_signal(signum: int, frame: FrameType | None) -> None:
            log.info("signal received", signal=signal.Signals(signum).name)
            self.stopping.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.start()
        while not self.stopping.wait(timeout=1.0):
            pass
        self.stop()


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
