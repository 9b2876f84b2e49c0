"""The daily digest as an e-mail: HTML (Jinja2, inline CSS, charts as CID images) and a
plain-text part with the same facts, in Chinese (default) or English.

``render`` turns a Digest into a view (numbers formatted once, for both parts);
``build_message`` makes the multipart MIME message; ``preview_html`` embeds the
charts as data URIs so a browser shows the file on its own.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from alerts.catalogue import Words
from alerts.charts import brands_chart, trend_chart
from alerts.text import excerpt, safe_url
from listener.domain import Digest, Incident, IncidentStatus

_ENV = Environment(
    loader=PackageLoader("alerts", "templates"),
    # the HTML template is escaped, the plain-text one is not (its name says which)
    autoescape=lambda name: name is not None and ".html" in name,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class DigestMail:
    subject: str
    text: str
    html: str
    """References its charts as ``cid:<name>`` (see ``images``)."""
    images: dict[str, bytes] = field(default_factory=dict)


MAX_INCIDENTS = 10
"""Incident rows in the digest, most severe first; the rest are counted in one line."""


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else max(0.0, (end - start).total_seconds() / 60)


def _duration(minutes: float | None, words: Words) -> str:
    if minutes is None:
        return words("digest.none")
    if minutes < 90:
        return words("digest.minutes", value=minutes)
    return words("digest.hours", value=minutes / 60)


def _count(n: float) -> str:
    return f"{n:,.0f}"


def _pct(x: float) -> str:
    return f"{x:.0%}"


def view(digest: Digest) -> dict[str, Any]:
    """Everything both parts show, formatted once."""
    lang = digest.language
    words = Words(lang)
    w = words.section("digest")
    tz = ZoneInfo(digest.timezone)
    day = digest.period_start.astimezone(tz).strftime("%Y-%m-%d")

    def local(at: datetime) -> str:
        return at.astimezone(tz).strftime("%m-%d %H:%M")

    brands = [
        {
            "name": b.brand,
            "mentions": _count(b.mentions),
            "avg": w["none"]
            if b.previous_mentions_avg is None
            else f"{b.previous_mentions_avg:,.1f}",
            "change": (
                f"{(b.mentions / b.previous_mentions_avg - 1):+.0%}"
                if b.previous_mentions_avg
                else w["none"]
            ),
            "up": 0 < (b.previous_mentions_avg or 0) * 1.2 < b.mentions,
            "negative_share": _pct(b.negative_share) if b.mentions else w["none"],
            "prev_share": w["none"]
            if b.previous_negative_share is None
            else _pct(b.previous_negative_share),
            "worse": b.previous_negative_share is not None
            and b.mentions > 0
            and b.negative_share > b.previous_negative_share + 0.05,
        }
        for b in digest.brands
    ]
    threads = [
        {
            "author": m.author.name or m.author.id,
            "platform": words.platform(m.platform),
            "text": excerpt(m.text, 120),
            "url": safe_url(m.url),
            # most platforms give no view count: 0 views means unknown, so it is left out
            "reach": w["reach" if m.engagement.views else "reach_no_views"].format(
                **{
                    name: _count(getattr(m.engagement, name))
                    + ("+" if m.engagement.is_floor(name) else "")
                    for name in ("reposts", "comments", "likes", "views")
                }
            ),
            "brands": words.join(m.brands),
        }
        for m in digest.top_negative
    ]
    authors = [
        {
            "name": a.author.name or a.author.id,
            "platform": words.platform(a.platform),
            "followers": _count(a.author.followers)
            if a.author.followers is not None
            else w["none"],
            "influence": f"{a.author.influence:.2f}"
            if a.author.influence is not None
            else w["none"],
            "mentions": a.mentions,
            "negative": a.negative,
            "engagement": _count(a.engagement),
            "url": safe_url(a.url),
        }
        for a in digest.top_authors
    ]
    start, end = digest.period_start, digest.period_end
    by_severity = sorted(digest.incidents, key=lambda i: (i.severity, i.opened_at))
    incidents = [_incident(i, words, local) for i in by_severity[:MAX_INCIDENTS]]
    opened = sum(1 for i in digest.incidents if start <= i.opened_at < end)
    resolved = sum(1 for i in digest.incidents if i.resolved_at and start <= i.resolved_at < end)
    sources = _sources(digest, w, local)
    return {
        "w": w,
        "lang": lang,
        "subject": f"{w['title']} {day}",
        "title": w["title"],
        "day": day,
        "intro": w["intro"].format(day=day, tz=digest.timezone),
        "brands": brands,
        "threads": threads,
        "authors": authors,
        "incidents": incidents,
        "incident_summary": w["incident_summary"].format(opened=opened, resolved=resolved),
        "more_incidents": w["more_incidents"].format(count=len(by_severity) - MAX_INCIDENTS)
        if len(by_severity) > MAX_INCIDENTS
        else "",
        "headlines": headlines(digest, words),
        "sources": sources,
        "sources_none": not digest.sources and not digest.outages,
        "footer": w["footer"].format(day=day),
    }


def headlines(digest: Digest, words: Words) -> list[str]:
    """One sentence per brand for an executive: what changed against the days before,
    the negative share against its usual, the worst incident and how fast the team
    answered it. A day with nothing collected says so instead."""
    w = words.section("digest")
    if not digest.brands or digest.period_start in digest.no_data_days:
        return [w["day_without_data"]]
    lines = []
    for b in digest.brands:
        avg = b.previous_mentions_avg
        if avg is None:
            change = w["vs_none"]
        elif avg == 0:
            change = w["vs_new"]
        elif b.mentions >= 2 * avg:
            change = w["vs_times"].format(ratio=b.mentions / avg)
        elif b.mentions >= 1.1 * avg:
            change = w["vs_up"].format(pct=b.mentions / avg - 1)
        elif b.mentions <= 0.9 * avg:
            change = w["vs_down"].format(pct=1 - b.mentions / avg)
        else:
            change = w["vs_flat"]
        usual = b.previous_negative_share
        mine = [i for i in digest.incidents if i.brand == b.brand]
        worst = min(mine, key=lambda i: (i.severity, i.opened_at), default=None)
        lines.append(
            w["headline"].format(
                brand=b.brand,
                mentions=_count(b.mentions),
                change=change,
                share=_pct(b.negative_share) if b.mentions else w["none"],
                usual="" if usual is None else w["usual_share"].format(share=_pct(usual)),
                worst=w["calm"] if worst is None else _worst(worst, words),
            )
        )
    return lines


def _worst(incident: Incident, words: Words) -> str:
    w = words.section("digest")
    to_ack = _minutes(incident.opened_at, incident.acknowledged_at)
    to_response = _minutes(incident.opened_at, incident.first_response_at)
    return w["worst"].format(
        severity=incident.severity,
        title=words.title(incident),
        ack=w["not_acked"]
        if to_ack is None
        else w["acked_in"].format(duration=_duration(to_ack, words)),
        response=w["no_response"]
        if to_response is None
        else w["responded_in"].format(duration=_duration(to_response, words)),
    )


def _sources(digest: Digest, w: dict[str, str], local: Any) -> list[dict[str, Any]]:
    """What was wrong with collection on the day: sources unhealthy now, sources that
    collected nothing since the day began (the daemon did not run, or they stalled),
    and outages during the day."""
    sources = [
        {
            "name": s.source,
            "reason": s.reason if not s.healthy else w["stale"],
            "since": (
                f"{w['last_success']} {local(s.last_success_at)}"
                if s.last_success_at
                else w["never"]
            ),
            "ongoing": not s.healthy,
        }
        for s in digest.sources or digest.unhealthy_sources
        if not s.healthy or s.last_success_at is None or s.last_success_at < digest.period_start
    ]
    named = {s["name"] for s in sources}
    sources += [
        {
            "name": o.source,
            "reason": o.reason,
            "since": f"{local(o.start)} – {local(o.end) if o.end else ''}".rstrip(" –"),
            "ongoing": o.end is None,
        }
        for o in digest.outages
        if o.source not in named
    ]
    return sources


def _incident(i: Incident, words: Words, local: Any) -> dict[str, Any]:
    return {
        "severity": i.severity,
        "brand": i.brand,
        "title": words.title(i),
        "status": words.status(i.status),
        "resolved": i.status is IncidentStatus.RESOLVED,
        "opened": local(i.opened_at),
        "to_ack": _duration(_minutes(i.opened_at, i.acknowledged_at), words),
        "to_response": _duration(_minutes(i.opened_at, i.first_response_at), words),
    }


def render(digest: Digest) -> DigestMail:
    context = view(digest)
    words = Words(digest.language)
    images = {
        "trend": trend_chart(digest.trend, digest.timezone, words, digest.no_data_days),
        "brands": brands_chart(digest.brands, words),
    }
    html = _ENV.get_template("digest.html.j2").render(
        **context, images={name: f"cid:{name}" for name in images}
    )
    text = _ENV.get_template("digest.txt.j2").render(**context)
    return DigestMail(subject=context["subject"], text=text, html=html, images=images)


def render_text(digest: Digest) -> str:
    """The plain-text digest alone (console, logs): no charts drawn."""
    return _ENV.get_template("digest.txt.j2").render(**view(digest))


def preview_html(mail: DigestMail) -> str:
    """The HTML with its charts inlined as data URIs: opens in any browser on its own."""
    html = mail.html
    for name, png in mail.images.items():
        html = html.replace(
            f'src="cid:{name}"', f'src="data:image/png;base64,{base64.b64encode(png).decode()}"'
        )
    return html


def build_message(mail: DigestMail, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    """multipart/alternative: text/plain, then multipart/related (HTML + PNG charts)."""
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    domain = _domain(sender)
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(mail.text)
    cids = {name: make_msgid(idstring=name, domain=domain) for name in mail.images}
    html = mail.html
    for name, cid in cids.items():
        html = html.replace(f'src="cid:{name}"', f'src="cid:{cid[1:-1]}"')
    message.add_alternative(html, subtype="html")
    html_part = message.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    for name, png in mail.images.items():
        html_part.add_related(png, "image", "png", cid=cids[name], filename=f"{name}.png")
    return message


def _domain(sender: str) -> str:
    try:
        return Address(addr_spec=sender.rsplit("<", 1)[-1].strip("> ")).domain or "listener"
    except (ValueError, IndexError):
        return "listener"
