"""Plain-text rendering of incidents and source alerts (console, logs, e-mail alerts),
in the words of one language (``alerts.catalogue``), and the link scrubbing every
message goes through."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from alerts.catalogue import Words
from listener.domain import Digest, IncidentEvent, Mention, SourceHealth
from listener.redact import is_secret_param


def fallback_text(event: IncidentEvent, words: Words) -> str:
    """The notification line (phones, screen readers, clients without blocks)."""
    inc = event.incident
    said = words.event_title(event)
    if event.pulse is not None and inc.is_open:
        said = f"{words.headline(event.pulse)} · {said}"
    return f"[{inc.severity}] {inc.brand}: {said} ({words.status(inc.status)})"


_HOST = re.compile(r"^[\w.-]+$|^[0-9a-fA-F:.]+$")
"""A host name (IDN letters allowed) or an IPv6 address; anything else is refused."""
_URL_SAFE = "/:@!$&'()*+,;=-._~%"
"""RFC 3986's reserved and unreserved characters: everything else is percent-encoded."""


def safe_url(url: str) -> str:
    """A link safe to show in a message: http(s) only; credentials in the authority and
    query parameters that look like tokens, cookies or signatures removed; and every
    character a URL cannot carry percent-encoded, so nothing in it can close a link,
    relabel it or mention anyone in the chat it is sent to (``<``, ``>``, ``|``, spaces,
    quotes, control characters) — ``https://evil.example/x><!channel>`` stays one inert
    link."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    host = parts.hostname or ""
    if not _HOST.match(host):
        return ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not is_secret_param(k)
        ]
    )
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=_URL_SAFE),
            query,
            quote(parts.fragment, safe=_URL_SAFE + "?"),
        )
    )


def scrubbed(mention: Mention) -> Mention:
    """The mention with a link safe to pass on (see ``safe_url``)."""
    url = safe_url(mention.url)
    return mention if url == mention.url else mention.model_copy(update={"url": url})


def scrubbed_event(event: IncidentEvent) -> IncidentEvent:
    """The event with every link safe to pass on: what leaves the daemon."""
    return event.model_copy(
        update={
            "top_mentions": tuple(scrubbed(m) for m in event.top_mentions),
            "links": {name: safe_url(url) for name, url in event.links.items()},
        }
    )


def scrubbed_digest(digest: Digest) -> Digest:
    return digest.model_copy(
        update={
            "top_negative": tuple(scrubbed(m) for m in digest.top_negative),
            "top_authors": tuple(
                a.model_copy(update={"url": safe_url(a.url)}) for a in digest.top_authors
            ),
        }
    )


def excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def mention_line(m: Mention, words: Words) -> str:
    who = m.author.name or m.author.id
    counts = words("text.engagement", **words.counts(m.engagement))
    return (
        f"  · {who} ({words.platform(m.platform)}, {counts}): {excerpt(m.text)} {safe_url(m.url)}"
    ).rstrip()


def render_event(event: IncidentEvent, words: Words) -> str:
    inc = event.incident
    parts = ", ".join(f"{k}={v:g}" for k, v in sorted(inc.parts.items()))
    change = words(f"change.{event.change}")
    lines = [
        f"[{inc.severity}] {inc.brand} · {change} · {words.event_title(event)}",
        *(
            [f"  {words.headline(event.pulse)} ({words.pulse_detail(event.pulse)})"]
            if event.pulse is not None
            else []
        ),
        f"  incident={inc.id} status={inc.status.value} score={inc.crisis_score:.2f}"
        + (f" ({parts})" if parts else ""),
    ]
    lines.extend(mention_line(m, words) for m in event.top_mentions)
    lines.extend(f"  {name}: {safe_url(url)}" for name, url in sorted(event.links.items()))
    return "\n".join(lines)


def render_source_health(health: SourceHealth, words: Words) -> str:
    """One operational alert: which source, what is wrong, what to do."""
    if health.healthy:
        return words("source.recovered", source=health.source)
    last = health.last_success_at.isoformat() if health.last_success_at else words("source.never")
    return "\n".join(
        (
            words("source.unhealthy", source=health.source, reason=health.reason),
            words("source.last_success", at=last, failures=health.consecutive_failures),
            words("source.advice"),
        )
    )
