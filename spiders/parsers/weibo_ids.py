"""Weibo's post ids: the numeric mid, the short base62 bid, and the URLs built from them."""

from __future__ import annotations

PLATFORM = "weibo"
_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def bid_to_mid(bid: str) -> str:
    """Weibo's short post id (``GmLonsknb``) to its numeric id (``4254253956751501``)."""
    if not bid:
        raise ValueError("empty Weibo bid")
    chunks = [bid[max(i - 4, 0) : i] for i in range(len(bid), 0, -4)][::-1]
    digits = []
    for index, chunk in enumerate(chunks):
        value = 0
        for char in chunk:
            position = _BASE62.find(char)
            if position < 0:
                raise ValueError(f"not a Weibo bid: {bid!r}")
            value = value * 62 + position
        digits.append(str(value) if index == 0 else str(value).zfill(7))
    return "".join(digits)


def status_url(native_id: str, author_id: str = "", bid: str = "") -> str:
    if author_id and bid:
        return f"https://weibo.com/{author_id}/{bid}"
    return f"https://m.weibo.cn/detail/{native_id}"
