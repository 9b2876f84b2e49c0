"""The real platform responses in ``../shared/captures/`` (beside the clone, not in it:
they are other people's posts). Tests that need them fail loudly when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CAPTURES = Path(
    os.environ.get("LISTENER_CAPTURES", Path(__file__).resolve().parents[2] / "shared" / "captures")
)


def captures_root() -> Path:
    if not (CAPTURES / "MANIFEST.md").is_file():
        pytest.fail(
            f"the captured platform responses are missing: expected {CAPTURES}/MANIFEST.md "
            "(CI places shared/ beside the clone; set LISTENER_CAPTURES to point elsewhere)"
        )
    return CAPTURES


PLATFORM_DIRS = {
    "weibo": "weibo",
    "zhihu": "zhihu",
    "bilibili": "bilibili",
    "tieba": "tieba",
    "rss": "rss",
    "xiaohongshu": "xiaohongshu",
}
"""parser → the captures folder whose every file it must read."""

CAPTURE_URLS = {
    "m-statuses-extend-4645748019299849.json": "https://m.weibo.cn/statuses/extend?id=4645748019299849",
    "m-statuses-extend-4649031014551911.json": "https://m.weibo.cn/statuses/extend?id=4649031014551911",
    "weibocn-comment-J5cVGuUNq.html": "https://weibo.cn/comment/J5cVGuUNq",
    "weibocom-aj-v6-comment-big-2017.json": "https://weibo.com/aj/v6/comment/big?ajwvr=6&id=4107043030226377",
    "weibocom-aj-v6-mblog-info-big-reposts-2017.json": "https://weibo.com/aj/v6/mblog/info/big?ajwvr=6&id=4107043030226377",
}
"""Captures whose ids live only in the URL they were fetched from."""
