"""Run a crawl in its own process (``python -m spiders.crawl``) with a timeout.

Why a process: Twisted's reactor cannot be restarted inside one process, and a
crawl that leaks or hangs can be killed without harming the daemon. Mentions
cross the boundary only through the spool, so killing a crawl loses nothing it
already wrote.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO

from pydantic import ValidationError

from listener.config.models import Config
from listener.domain import CrawlBrand, CrawlResult
from listener.logs import get_logger
from listener.redact import redact
from spiders.spec import CrawlSpec, SourceConfigs

RESULT_PREFIX = "LISTENER-RESULT "
log = get_logger(__name__)


@dataclass(frozen=True)
class CrawlOutcome:
    source: str
    result: CrawlResult | None
    failure: str | None
    seconds: float
    interrupted: bool = False
    """Stopped because the daemon is shutting down: says nothing about the source."""


def crawl_brands(config: Config) -> tuple[CrawlBrand, ...]:
    """The configured brands as the spiders match them."""
    return tuple(
        CrawlBrand(
            name=b.name,
            aliases=tuple(b.aliases),
            keywords=tuple(b.keywords),
            exclude=tuple(b.exclude),
            queries=tuple(b.queries),
        )
        for b in config.brands
    )


def crawl_spec(
    config: Config,
    source: SourceConfigs,
    cursor: str | None,
    backfill_since: datetime | None = None,
    clock: datetime | None = None,
) -> CrawlSpec:
    """The spec for one crawl; a backfill collects everything since ``backfill_since``
    (ignoring the cursor) with the source's larger backfill page limit; ``clock``: the
    crawl's simulated time (None: now)."""
    if backfill_since is not None:
        cursor = backfill_since.astimezone(UTC).isoformat()
    page_limit = source.backfill_page_limit if backfill_since is not None else source.page_limit
    return CrawlSpec(
        source=source.name,
        options=source,
        brands=crawl_brands(config),
        spool_path=str(config.spool_path.resolve()),
        cursor=cursor,
        page_limit=page_limit,
        log_level="DEBUG" if config.daemon.log_level == "debug" else "WARNING",
        clock=clock,
    )


def _forward(stream: IO[bytes], tail: collections.deque[str]) -> None:
    """Copy the crawl's log lines to our standard error, keeping the last few."""
    for raw in iter(stream.readline, b""):
        line = redact(raw.decode("utf-8", "replace").rstrip())
        tail.append(line)
        sys.stderr.write(line + "\n")
    stream.close()


def _collect(stream: IO[bytes], sink: list[bytes]) -> None:
    sink.append(stream.read())
    stream.close()


class CrawlRunner:
    """Starts crawl subprocesses; ``stop_all`` interrupts the running ones on shutdown."""

    def __init__(self, grace: float = 5.0) -> None:
        self.grace = grace
        self._running: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def _signal(self, proc: subprocess.Popen[bytes], sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)

    def run(self, spec: CrawlSpec, timeout: float) -> CrawlOutcome:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "spiders.crawl"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        with self._lock:
            self._running[proc.pid] = proc
        tail: collections.deque[str] = collections.deque(maxlen=20)
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        forwarder = threading.Thread(target=_forward, args=(proc.stderr, tail), daemon=True)
        forwarder.start()
        chunks: list[bytes] = []
        reader = threading.Thread(target=_collect, args=(proc.stdout, chunks), daemon=True)
        reader.start()
        failure: str | None = None
        try:
            proc.stdin.write(spec.to_json().encode())
            proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._signal(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=self.grace)
            except subprocess.TimeoutExpired:
                self._signal(proc, signal.SIGKILL)
                proc.wait()
            code = None
            failure = f"timed out after {timeout:g}s and was stopped"
        finally:
            with self._lock:
                self._running.pop(proc.pid, None)
        reader.join(timeout=5)
        forwarder.join(timeout=5)
        result = self._result(b"".join(chunks))
        interrupted = self._stopping.is_set() or bool(result and result.interrupted)
        if interrupted:
            failure = None  # a crawl stopped (or killed) by the shutdown did not fail
        elif failure is None and result is None:
            last = tail[-1] if tail else "no output"
            failure = f"crawl exited with status {code}: {last}"[:500]
        return CrawlOutcome(spec.source, result, failure, time.monotonic() - started, interrupted)

    @staticmethod
    def _result(stdout: bytes) -> CrawlResult | None:
        for line in reversed(stdout.decode("utf-8", "replace").splitlines()):
            if line.startswith(RESULT_PREFIX):
                try:
                    return CrawlResult.model_validate_json(line[len(RESULT_PREFIX) :])
                except ValidationError:
                    return None
        return None

    def stop_all(self) -> None:
        """Ask running crawls to stop (they flush what they collected); kill after ``grace``.
        Crawls ending from now on are reported interrupted, never failed."""
        self._stopping.set()
        with self._lock:
            procs = list(self._running.values())
        for proc in procs:
            self._signal(proc, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for proc in procs:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._signal(proc, signal.SIGKILL)
