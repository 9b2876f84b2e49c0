"""Field types shared by every config model: durations, times of day, names."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic import BaseModel as _BaseModel

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """``90`` (seconds), ``"90s"``, ``"5m"``, ``"1h30m"``, ``"2d"`` → timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r} (use e.g. 30s, 5m, 1h)")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("duration must not be negative")
        return timedelta(seconds=value)
    if not isinstance(value, str):
        raise ValueError(f"invalid duration {value!r} (use e.g. 30s, 5m, 1h)")
    text = value.strip().lower()
    parts = list(_DURATION_PART.finditer(text))
    if not parts or "".join(p.group(0) for p in parts) != text.replace(" ", ""):
        raise ValueError(f"invalid duration {value!r} (use e.g. 30s, 5m, 1h30m)")
    return timedelta(seconds=sum(float(p.group(1)) * _UNIT_SECONDS[p.group(2)] for p in parts))


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    if seconds and seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds and seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{value.total_seconds():g}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError(f"must be longer than 0s (got {format_duration(value)})")
    return value


PositiveDuration = Annotated[Duration, AfterValidator(_positive)]


def parse_time_of_day(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 08:30 as a sexagesimal integer (510).
        hours, minutes = divmod(value, 60)
        if 0 <= hours < 24:
            return time(hours, minutes)
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        hours, minutes = (int(x) for x in value.strip().split(":"))
        if 0 <= hours < 24 and 0 <= minutes < 60:
            return time(hours, minutes)
    raise ValueError(f"invalid time of day {value!r} (use HH:MM, e.g. 08:30)")


TimeOfDay = Annotated[
    time,
    BeforeValidator(parse_time_of_day),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
]


def parse_hours(value: Any) -> tuple[time, time]:
    """``"09:00-21:00"`` → (start, end); a range may run past midnight (``"22:00-07:00"``)."""
    if isinstance(value, tuple) and len(value) == 2:
        return value[0], value[1]
    if isinstance(value, str) and value.count("-") == 1:
        try:
            start, end = (parse_time_of_day(part) for part in value.split("-"))
        except ValueError:
            pass
        else:
            if start != end:
                return start, end
    raise ValueError(f"invalid hours {value!r} (use HH:MM-HH:MM, e.g. 09:00-21:00)")


def within(hours: tuple[time, time], at: time) -> bool:
    """Whether a local time of day falls in [start, end), wrapping past midnight."""
    start, end = hours
    return start <= at < end if start < end else at >= start or at < end


Hours = Annotated[
    tuple[time, time],
    BeforeValidator(parse_hours),
    PlainSerializer(lambda h: f"{h[0]:%H:%M}-{h[1]:%H:%M}", return_type=str),
]


def check_timezone(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"invalid timezone {value!r} (use an IANA name, e.g. Asia/Shanghai)")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {value!r} (use an IANA name, e.g. Asia/Shanghai)"
        ) from None
    return value


Timezone = Annotated[str, BeforeValidator(check_timezone)]
NonEmptyStr = Annotated[str, Field(min_length=1)]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
"""An identifier used in logs, metrics and CLI arguments: ASCII letters, digits, _ . -"""


class Section(_BaseModel):
    """Base for every config model: unknown keys are errors (typos must not pass)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
