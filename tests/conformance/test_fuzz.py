"""Mutated captures never crash a parser: it returns a page or says, in one line,
that it cannot read the body."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spiders.parsers import parsers
from spiders.parsers.base import Blocked, ParseContext, Unparseable
from tests.captures import CAPTURES

SAMPLES = {
    "weibo": "weibo/m-search-shijiebei-2018-page7.json",
    "weibo_html": "weibo/weibocn-comment-J5cVGuUNq.html",
    "zhihu": "zhihu/search-v3-shijiebei-offset15.json",
    "bilibili": "bilibili/web-search-type-video-shaonian-2020.json",
    "tieba": "tieba/frs-shizujiazu-2018.html",
    "rss": "rss/rsshub-weibo-user-1935396210.xml",
    "xiaohongshu": "xiaohongshu/miniprogram-note-comments-2019.json",
}


def _body(name: str) -> bytes:
    path = Path(CAPTURES) / name
    return path.read_bytes() if path.is_file() else b""


BODIES = {platform: _body(name) for platform, name in SAMPLES.items()}


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    platform = draw(st.sampled_from(sorted(BODIES)))
    body = BODIES[platform]
    cut = draw(st.integers(0, len(body)))
    kind = draw(st.sampled_from(["truncate", "splice", "flip", "gbk"]))
    if kind == "truncate":
        return platform, body[:cut]
    if kind == "splice":
        junk = draw(st.binary(max_size=64))
        return platform, body[:cut] + junk + body[cut + len(junk) :]
    if kind == "flip":
        return platform, body[:cut] + bytes([0xFF, 0xFE, 0x00]) + body[cut:]
    text = body.decode("utf-8", errors="replace")
    return platform, text.encode("gb18030", errors="replace")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same mutations on every run
)
@given(mutated())
def test_parsers_survive_mutated_captures(case: tuple[str, bytes]) -> None:
    platform, body = case
    assert BODIES[platform], f"capture for {platform} missing under {CAPTURES}"
    try:
        page = parsers()[platform](body, ParseContext(url="https://example.com/?id=1"))
    except (Unparseable, Blocked) as exc:
        assert "\n" not in str(exc)
        return
    assert all(m.native_id for m in page.mentions)
