"""A local JSON-lines file of posts: for imports, demos and tests.

Each line is one post: ``native_id``, ``text``, ``published_at`` (ISO 8601 with
an offset) and ``author`` (``id``, ``name``, ``followers``…) are required;
``platform``, ``url``, ``kind``, ``thread_id``, ``title`` and ``engagement`` are
optional. The cursor is the newest ``published_at`` already collected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Literal

import scrapy
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from scrapy.http import Response
from twisted.python.failure import Failure

from listener.domain import (
    Author,
    Engagement,
    Mention,
    MentionKind,
    UtcDatetime,
    mention_id,
    utcnow,
)
from spiders.options import SourceOptions
from spiders.spiders.base import ListenerSpider


class JsonlRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    native_id: str = Field(min_length=1, coerce_numbers_to_str=True)
    text: str
    published_at: UtcDatetime
    author: Author
    platform: str | None = None
    url: str = ""
    kind: MentionKind = MentionKind.POST
    thread_id: str | None = None
    parent_id: str | None = None
    title: str = ""
    engagement: Engagement = Engagement()


class JsonlOptions(SourceOptions):
    platform: Literal["jsonl"] = "jsonl"
    path: Path
    """The file to read; relative paths are relative to the daemon's working directory."""
    default_platform: str = Field(default="file", min_length=1)
    """The mention's platform when a line does not name one."""

    @field_validator("path")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        return path.resolve()  # the crawl runs in its own process

    def platforms(self) -> tuple[str, ...]:
        return (self.default_platform,)


class JsonlSpider(ListenerSpider[JsonlOptions]):
    Config = JsonlOptions

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(
            self.options.path.as_uri(), callback=self.parse, errback=self.failed, dont_filter=True
        )

    def failed(self, failure: Failure) -> None:
        raise self.unhealthy(f"cannot read {self.options.path}: {failure.value}")

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Mention]:
        platform_default = self.options.default_platform
        for lineno, raw in enumerate(response.body.split(b"\n"), start=1):
            if self.stopping:
                return  # the cursor stays at the last line spooled
            if not raw.strip():
                continue
            where = f"{response.url}:{lineno}"
            try:
                record = JsonlRecord.model_validate_json(raw)
            except ValidationError as exc:
                first = exc.errors()[0]
                field = ".".join(str(p) for p in first["loc"]) or "line"
                self.note_error(where, f"{field}: {first['msg']}")
                continue
            position = record.published_at.isoformat()
            if self.seen_before(position):
                continue
            platform = record.platform or platform_default
            yield Mention.create(
                platform=platform,
                native_id=record.native_id,
                source=self.spec.source,
                kind=record.kind,
                url=record.url,
                thread_id=mention_id(platform, record.thread_id) if record.thread_id else None,
                parent_id=mention_id(platform, record.parent_id) if record.parent_id else None,
                title=record.title,
                text=record.text,
                published_at=record.published_at,
                collected_at=utcnow(),
                author=record.author,
                engagement=record.engagement,
            )
            self.advance_cursor(position)
