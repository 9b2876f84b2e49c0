"""The time stamps Chinese platforms print, parsed to timezone-aware datetimes.

Relative and year-less forms (``刚刚``, ``5分钟前``, ``今天 10:25``, ``昨天 10:25``,
``06-13``, ``6月13日 20:38``, ``10:25``) are read against a reference time in the
platform's zone (Asia/Shanghai); a year-less date that would lie in the future is
last year's. Weibo ids carry their own creation second (Twitter-style snowflake),
which beats a coarse printed stamp read against a guessed reference.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_AGO = re.compile(r"^(\d+)\s*(秒|分钟|小时|天)前$")
_UNITS = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}
_DAY_CLOCK = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})$")
_FULL = re.compile(
    r"^(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_YEAR_MONTH = re.compile(r"^(\d{4})[-/年.](\d{1,2})月?$")
_NO_YEAR = re.compile(r"^(\d{1,2})[-/月](\d{1,2})日?(?:\s*(\d{1,2}):(\d{2}))?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_TWITTER = "%a %b %d %H:%M:%S %z %Y"

WEIBO_EPOCH_OFFSET = 515483463
_WEIBO_SNOWFLAKE_FROM = 3_500_000_000_000_000  # ids before 2012 carry no time


def parse_cn_time(text: str, now: datetime) -> datetime | None:
    """Parse one stamp; None when it is not a time at all."""
    stamp = " ".join(text.replace("\xa0", " ").split())
    stamp = re.sub(r"\s*(来自|from).*$", "", stamp).strip()
    if not stamp:
        return None
    local_now = now.astimezone(SHANGHAI)
    if stamp in ("刚刚", "刚才"):
        return now
    if m := _AGO.match(stamp):
        return now - timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    if m := _DAY_CLOCK.match(stamp):
        back = {"今天": 0, "昨天": 1, "前天": 2}[m.group(1)]
        date = local_now - timedelta(days=back)
        return date.replace(hour=int(m.group(2)), minute=int(m.group(3)), second=0, microsecond=0)
    if m := _FULL.match(stamp):
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups())
        return _local(year, month, day, hour, minute, second)
    if m := _YEAR_MONTH.match(stamp):  # Tieba prints old threads to the month
        return _local(int(m.group(1)), int(m.group(2)), 1, 0, 0, 0)
    if m := _NO_YEAR.match(stamp):
        month, day, hour, minute = (int(g) if g else 0 for g in m.groups())
        found = _local(local_now.year, month, day, hour, minute, 0)
        if found is not None and found > now + timedelta(days=1):
            found = _local(local_now.year - 1, month, day, hour, minute, 0)
        return found
    if m := _CLOCK.match(stamp):
        found = local_now.replace(
            hour=int(m.group(1)), minute=int(m.group(2)), second=0, microsecond=0
        )
        return found - timedelta(days=1) if found > now + timedelta(minutes=5) else found
    return _absolute(stamp)


def _local(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    except ValueError:
        return None


def _absolute(stamp: str) -> datetime | None:
    try:
        return datetime.strptime(stamp, _TWITTER)
    except ValueError:
        pass
    try:
        found = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        return found if found.tzinfo else found.replace(tzinfo=SHANGHAI)
    except ValueError:
        pass
    try:
        found = parsedate_to_datetime(stamp)  # RFC 2822, what HTTP and RSS use
        return found if found.tzinfo else found.replace(tzinfo=UTC)
    except (TypeError, ValueError, IndexError):
        return None


def from_epoch(seconds: float | int | str | None) -> datetime | None:
    try:
        value = float(seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if value > 1e11:  # milliseconds
        value /= 1000
    return datetime.fromtimestamp(value, UTC) if value > 0 else None


def weibo_id_time(mid: str | int) -> datetime | None:
    """The creation second encoded in a Weibo mid (exact for every post since 2012)."""
    try:
        value = int(mid)
    except (TypeError, ValueError):
        return None
    if value < _WEIBO_SNOWFLAKE_FROM:
        return None
    return datetime.fromtimestamp((value >> 22) + WEIBO_EPOCH_OFFSET, UTC)


def weibo_time(created_at: str | None, mid: str | int, now: datetime) -> datetime | None:
    """A Weibo post's time: the second encoded in its id when it has one (exact, and
    independent of when the page was fetched), else the printed stamp."""
    return weibo_id_time(mid) or (parse_cn_time(created_at, now) if created_at else None)


# clocks that pages embed, most specific first: when the server rendered the page
_CLOCK_KEYS = r"servertime|serverTime|start_time|starttime|current_time"
_PAGE_CLOCKS = (
    re.compile(r"\$CONFIG\[['\"]servertime['\"]\]\s*=\s*['\"]?(\d{10})"),  # weibo.com
    re.compile(rf"[\"']?(?:{_CLOCK_KEYS})[\"']?\s*[:=]\s*[\"']?(\d{{10,13}})\b"),
    re.compile(r"[\"']tbs[\"']\s*:\s*[\"'][0-9a-f]{16}(\d{10})[\"']"),  # Tieba's token ends in it
)


def page_clock(text: str, *, limit: int = 400_000) -> datetime | None:
    """The time a page says it was rendered at (``$CONFIG['servertime']``, Tieba's
    ``start_time`` or ``tbs`` token, Xiaohongshu's ``current_time``); None when it
    carries none. Only the first ``limit`` characters are searched."""
    head = text[:limit]
    for pattern in _PAGE_CLOCKS:
        match = pattern.search(head)
        found = from_epoch(match.group(1)) if match else None
        if found is not None and found.year >= 2009:
            return found
    return None


def http_date(value: bytes | str | None) -> datetime | None:
    """The Date header of a response: the server's clock, the best reference time."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
