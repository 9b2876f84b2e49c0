"""Tieba thread pages (``/p/<tid>``), on a page written by hand in Tieba's format."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from spiders.normalise import normalise_mention
from spiders.parsers import tieba
from spiders.parsers.base import ParseContext

PAGE = (Path(__file__).parents[2] / "fixtures" / "tieba" / "thread.html").read_bytes()


def test_a_thread_page_is_its_thread_and_its_replies() -> None:
    ctx = ParseContext(url="https://tieba.baidu.com/p/8001", now=datetime(2026, 12, 1, tzinfo=UTC))
    first, reply = (normalise_mention(m) for m in tieba.parse(PAGE, ctx).mentions)
    assert first.id == "tieba:8001" and first.kind == "post" and first.thread_id is None
    assert first.title == "小米汽车刹车失灵，有人遇到吗？"
    assert first.text == "昨天高速上刹车失灵，吓死了！\n售后说是软件问题"
    assert first.author.name == "车主老李" and first.author.id == "1234567"
    assert first.engagement.comments == 37  # the thread's replies, not floor 1's 楼中楼
    assert first.published_at == datetime(2024, 8, 7, 13, 14, tzinfo=UTC)  # content.date
    assert reply.id == "tieba:150002" and reply.kind == "comment"
    assert reply.thread_id == reply.parent_id == "tieba:8001"
    assert reply.published_at == datetime(2024, 8, 8, 1, 2, tzinfo=UTC)  # last tail-info
    assert reply.url == "https://tieba.baidu.com/p/8001?pid=150002#150002"
