"""One redaction layer for everything Listener writes down or sends: logs, errors, source
health, stored errors (spool, outbox), the command line's messages and the alerts built
from them.

Two kinds of secret are removed from any text: credentials in URLs (``user:password@``
and query parameters that look like tokens, keys, signatures or sessions) and the
values the configuration declares secret (passwords, tokens, cookies, API keys — every
``SecretStr``), which the loader remembers here as it reads a configuration. Redaction
is idempotent and never raises. This module imports nothing of Listener's.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, MutableMapping
from typing import Any

from pydantic import BaseModel, SecretStr

MASK = "***"
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/@?#]+@")
_SECRET_NAME = re.compile(
    r"token|cookie|session|secret|signature|passport|password|passwd|credential|auth"
    r"|^(key|apikey|api_key|sig|sign|sid|code|ticket|sub|subp|st)$",
    re.IGNORECASE,
)
_PARAM = re.compile(r"([?&;])([^=&\s?#]+)=([^&\s#\"'<>]+)")
_known: set[str] = set()
_lock = threading.Lock()


def remember(values: Iterable[str]) -> None:
    """Values to mask wherever they appear from now on (short ones would mask words)."""
    fresh = {v for v in values if len(v) >= 6}
    if fresh:
        with _lock:
            _known.update(fresh)


def secrets_of(value: Any) -> set[str]:
    """Every ``SecretStr`` value in a (nested) pydantic model, and the passwords written
    into URLs (``http://user:password@host``): what ``remember`` should be told."""
    found: set[str] = set()

    def walk(item: Any) -> None:
        if isinstance(item, SecretStr):
            found.add(item.get_secret_value())
        elif isinstance(item, BaseModel):
            for name in type(item).model_fields:
                walk(getattr(item, name))
        elif isinstance(item, dict):
            for entry in item.values():
                walk(entry)
        elif isinstance(item, list | tuple | set | frozenset):
            for entry in item:
                walk(entry)
        elif isinstance(item, str) and "@" in item and "://" in item:
            for match in re.finditer(r"://[^\s/@:]*:([^\s/@]+)@", item):
                found.add(match.group(1))

    walk(value)
    return {s for s in found if s}


def is_secret_param(name: str) -> bool:
    """A query parameter that looks like a token, cookie, session or signature: masked
    in text, and dropped from the links messages carry (``alerts.text.safe_url``)."""
    return bool(_SECRET_NAME.search(name))


def _mask_param(match: re.Match[str]) -> str:
    lead, name, value = match.groups()
    return f"{lead}{name}={MASK if is_secret_param(name) else value}"


def redact(text: str) -> str:
    """``text`` with URL credentials, token-like query values and every remembered
    secret replaced by ``***``."""
    if not text:
        return text
    out = _PARAM.sub(_mask_param, _USERINFO.sub(r"\1" + MASK + "@", text))
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in out:
            out = out.replace(secret, MASK)
    return out


def redact_event(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: every string in the event redacted (exceptions included,
    as their text)."""
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = redact(value)
        elif isinstance(value, BaseException):
            event[key] = redact(str(value))
    return event
