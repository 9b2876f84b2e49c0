"""Writes alerts and digests as text to standard output or a file: the embedded default."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Literal, TextIO

from alerts.base import AS_CONFIGURED, Delivery, Notifier, NotifierConfig
from alerts.digest_mail import render_text
from alerts.text import render_event, render_source_health
from listener.domain import Digest, IncidentEvent, SourceHealth


class ConsoleNotifierConfig(NotifierConfig):
    type: Literal["console"] = "console"
    name: str = "console"
    path: Path | None = None
    """Append to this file instead of standard output."""


class ConsoleNotifier(Notifier):
    Config = ConsoleNotifierConfig

    def __init__(self, config: ConsoleNotifierConfig) -> None:
        super().__init__(config.name, config.language)
        self.path = config.path
        self._lock = threading.Lock()

    def _write(self, text: str) -> None:
        with self._lock:
            if self.path is None:
                self._emit(sys.stdout, text)
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                self._emit(fh, text)

    @staticmethod
    def _emit(stream: TextIO, text: str) -> None:
        stream.write(text + "\n\n")
        stream.flush()

    def notify(self, event: IncidentEvent, to: Delivery = AS_CONFIGURED) -> None:
        self._write(render_event(event, self.words))

    def send_digest(self, digest: Digest, to: Delivery = AS_CONFIGURED) -> None:
        self._write(render_text(digest))

    def notify_source(self, health: SourceHealth, to: Delivery = AS_CONFIGURED) -> None:
        self._write(render_source_health(health, self.words))
