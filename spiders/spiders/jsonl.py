"""A local JSON-lines file of posts: for imports, demos and tests.

Each line is one post: ``native_id``, ``text``, ``published_at`` (ISO 8601 with
an offset) and ``author`` (``id``, ``name``, ``followers``…) are required;
``platform``, ``url``, ``kind``, ``thread_id``, ``title`` and ``engagement`` are
optional. The cursor is the newest ``published_at`` already collected.

``shift_to_now`` moves the whole file in time so that its newest post is dated when the
file is read (the spacing between posts is kept): sample data that always looks recent.
The cursor stays in the file's own time, so a second read collects nothing new.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
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

    def to_mention(
        self,
        source: str,
        default_platform: str,
        collected_at: datetime,
        shift: timedelta = timedelta(0),
    ) -> Mention:
        """The post as a mention of ``source``, dated ``shift`` later than the line says."""
        platform = self.platform or default_platform
        return Mention.create(
            platform=platform,
            native_id=self.native_id,
            source=source,
            kind=self.kind,
            url=self.url,
            thread_id=mention_id(platform, self.thread_id) if self.thread_id else None,
            parent_id=mention_id(platform, self.parent_id) if self.parent_id else None,
            title=self.title,
            text=self.text,
            published_at=self.published_at + shift,
            collected_at=collected_at,
            author=self.author,
            engagement=self.engagement,
        )


class JsonlOptions(SourceOptions):
    platform: Literal["jsonl"] = "jsonl"
    path: Path
    """The file to read; relative paths are relative to the daemon's working directory."""
    default_platform: str = Field(default="file", min_length=1)
    """The mention's platform when a line does not name one."""
    shift_to_now: bool = False
    """Date the newest post in the file when the file is read, keeping the spacing
    (sample data that always looks recent)."""

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
        records: list[JsonlRecord] = []
        for lineno, raw in enumerate(response.body.split(b"\n"), start=1):
            if not raw.strip():
                continue
            try:
                records.append(JsonlRecord.model_validate_json(raw))
            except ValidationError as exc:
                first = exc.errors()[0]
                field = ".".join(str(p) for p in first["loc"]) or "line"
                self.note_error(f"{response.url}:{lineno}", f"{field}: {first['msg']}")
        now = utcnow()
        shift = timedelta(0)
        if self.options.shift_to_now and records:
            shift = now - max(r.published_at for r in records)
        for record in records:
            if self.stopping:
                return  # the cursor stays at the last line spooled
            position = record.published_at.isoformat()
            if self.seen_before(position) or (
                self.options.shift_to_now and position == self.spec.cursor
            ):
                continue  # shifted: the newest line, re-read, would move forward again
            yield record.to_mention(
                self.spec.source, self.options.default_platform, utcnow(), shift
            )
            self.advance_cursor(position)
