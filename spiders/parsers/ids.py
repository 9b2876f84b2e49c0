"""One id per item, whatever a source gives: Bilibili BV/av, Weibo mid/bid, Zhihu
answer/article/question/pin ids, Tieba thread/post ids — also read from the URLs that
feeds (RSSHub) carry, so one post reached through the API and through a feed is one
mention, not two.
"""

from __future__ import annotations

import re

from spiders.parsers.weibo_ids import bid_to_mid

# Bilibili's av → BV mapping (the published algorithm, valid for every aid < 2**51)
_BV_ALPHABET = "FcwAPNKTMug3GV5Lj7EJnHpWsx4tb8haYeviqBz6rkCy12mUSDQX9RdoZf"
_BV_XOR = 23442827791579
_BV_MASK = 2251799813685247
_BV_MAX_AID = 1 << 51
_BV = re.compile(r"\b(BV1[0-9A-Za-z]{9})\b")
_AV = re.compile(r"(?:/video/|^)av(\d+)\b", re.IGNORECASE)


def av_to_bv(aid: int | str) -> str:
    """A video's old numeric id (``av170001``) as its BV id (``BV17x411w7KC``)."""
    value = int(str(aid).lower().removeprefix("av"))
    if not 0 < value < _BV_MAX_AID:
        raise ValueError(f"not a Bilibili aid: {aid!r}")
    chars = list("BV1000000000")
    left = (_BV_MAX_AID | value) ^ _BV_XOR
    position = len(chars) - 1
    while left > 0:
        chars[position] = _BV_ALPHABET[left % 58]
        left //= 58
        position -= 1
    chars[3], chars[9] = chars[9], chars[3]
    chars[4], chars[7] = chars[7], chars[4]
    return "".join(chars)


def bv_to_av(bvid: str) -> int:
    chars = list(bvid)
    chars[3], chars[9] = chars[9], chars[3]
    chars[4], chars[7] = chars[7], chars[4]
    value = 0
    for char in chars[3:]:
        value = value * 58 + _BV_ALPHABET.index(char)
    return (value & _BV_MASK) ^ _BV_XOR


def bilibili_video_id(value: str) -> str | None:
    """The BV id of a video named by a BV id, an ``av`` id or a video URL."""
    if match := _BV.search(value):
        return match.group(1)
    if match := _AV.search(value):
        try:
            return av_to_bv(match.group(1))
        except ValueError:
            return None
    return None


_WEIBO_MID = re.compile(r"(?:m\.weibo\.cn/(?:detail|status)/|[?&](?:mid|id)=)(\d{16})\b")
_WEIBO_BID = re.compile(r"(?:weibo\.com/\d+/|m\.weibo\.cn/status/)([0-9A-Za-z]{9})\b")
_ZHIHU = (
    (re.compile(r"/answer/(\d+)"), "{}"),
    (re.compile(r"zhuanlan\.zhihu\.com/p/(\d+)"), "{}"),
    (re.compile(r"zhihu\.com/pin/(\d+)"), "{}"),
    (re.compile(r"zhihu\.com/question/(\d+)/?$"), "question-{}"),
)
_TIEBA_POST = re.compile(r"tieba\.baidu\.com/p/(\d+)(?:\?[^#]*?\bpid=(\d+))?")


def canonical_id(platform: str, value: str) -> str | None:
    """The platform's own id of the item a URL (or raw id) names; None when it names
    none this module knows (the caller keeps its own id)."""
    if platform == "bilibili":
        return bilibili_video_id(value)
    if platform == "weibo":
        if match := _WEIBO_MID.search(value):
            return match.group(1)
        if match := _WEIBO_BID.search(value):
            try:
                return bid_to_mid(match.group(1))
            except ValueError:
                return None
        return None
    if platform == "zhihu":
        for pattern, form in _ZHIHU:
            if match := pattern.search(value):
                return form.format(match.group(1))
        return None
    if platform == "tieba" and (match := _TIEBA_POST.search(value)):
        return match.group(2) or match.group(1)
    return None
