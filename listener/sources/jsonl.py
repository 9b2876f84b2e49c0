"""A local JSON-lines file of posts: for imports, demos and tests.

Each line is one post: ``native_id``, ``text``, ``published_at`` (ISO 8601 with
an offset) and ``author`` (``id``, ``name``, ``followers``…) are required;
``platform``, ``url``, ``kind``, ``thread_id``, ``title`` and ``engagement`` are
optional. The cursor is the newest ``published_at`` already collected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from listener.sources.base import SourceConfig


class JsonlSourceConfig(SourceConfig):
    platform: Literal["jsonl"] = "jsonl"
    path: Path
    """The file to read; relative paths are relative to the working directory."""
    default_platform: str = Field(default="file", min_length=1)
    """The mention's platform when a line does not name one."""

    @property
    def spider(self) -> str:
        return "jsonl"

    def platforms(self) -> tuple[str, ...]:
        return (self.default_platform,)

    def spider_options(self) -> dict[str, Any]:
        return {"path": str(self.path.resolve()), "default_platform": self.default_platform}
