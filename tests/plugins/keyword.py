"""A detector and a notifier written the documented way (README, Extending Listener):
one file, named in the config by import path, no change anywhere in Listener."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from alerts.base import AS_CONFIGURED, Delivery, Notifier, NotifierConfig
from listener.detectors.base import DetectContext, Detector, DetectorConfig
from listener.domain import Digest, IncidentEvent, Signal, SourceHealth


class KeywordConfig(DetectorConfig):
    type: Literal["tests.plugins.keyword:KeywordDetector"] = "tests.plugins.keyword:KeywordDetector"
    word: str
    """Any recent negative post containing this raises a P2."""


class KeywordDetector(Detector):
    Config = KeywordConfig
    config: KeywordConfig

    def detect(self, context: DetectContext) -> list[Signal]:
        posts = context.recent_negative(context.series.bucket * 12, 100)
        return [
            signal
            for m in posts
            if self.config.word in m.text
            for signal in self.thread_signals(
                context, m, "P2", 0.8, "keyword.hit", {"word": self.config.word}, {"hits": 1.0}
            )
        ]


class JsonLinesConfig(NotifierConfig):
    type: Literal["tests.plugins.keyword:JsonLinesNotifier"] = (
        "tests.plugins.keyword:JsonLinesNotifier"
    )
    path: Path


class JsonLinesNotifier(Notifier):
    """Appends each incident change to a file, one JSON object per line."""

    Config = JsonLinesConfig

    def __init__(self, config: JsonLinesConfig) -> None:
        super().__init__(config.name)
        self.path = config.path

    def _write(self, record: dict[str, object]) -> None:
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")

    def notify(self, event: IncidentEvent, to: Delivery = AS_CONFIGURED) -> None:
        inc = event.incident
        self._write({"change": event.change, "brand": inc.brand, "detectors": inc.detectors})

    def send_digest(self, digest: Digest, to: Delivery = AS_CONFIGURED) -> None:
        self._write({"digest": digest.period_start.isoformat()})

    def notify_source(self, health: SourceHealth, to: Delivery = AS_CONFIGURED) -> None:
        self._write({"source": health.source, "healthy": health.healthy})
