"""Block Kit for one incident: what a PR person needs to decide in ten seconds.

Header (severity, brand, state), what happened in one sentence, the crisis-score
breakdown, the 3–5 posts that matter most, links, and the buttons (Acknowledge,
Resolve, Mute 1 h) when the message can receive clicks (bot token + Socket Mode).
Pure functions: the same event always gives the same blocks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from alerts.catalogue import Words
from alerts.text import excerpt, safe_url
from listener.domain import Incident, IncidentEvent, IncidentStatus, Mention, SourceHealth

Block = dict[str, Any]
ACK, RESOLVE, MUTE = "listener.acknowledge", "listener.resolve", "listener.mute"
ICONS = {"P1": ":red_circle:", "P2": ":large_orange_circle:", "P3": ":large_yellow_circle:"}
MAX_POSTS = 5


def mrkdwn_escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _local(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")


def mention_tag(who: str | None) -> str:
    """``<!subteam^S…>`` for a user group, ``<@U…>`` for a person."""
    if not who:
        return ""
    return f"<!subteam^{who}>" if who.startswith("S") else f"<@{who}>"


def incident_blocks(
    event: IncidentEvent,
    *,
    interactive: bool,
    mention: str | None = None,
    words: Words | None = None,
) -> list[Block]:
    words = words or Words()
    inc = event.incident
    tz = event.timezone
    header = f"{inc.severity} · {inc.brand} · {words.status(inc.status)}"
    icon = ":white_check_mark:" if inc.status is IncidentStatus.RESOLVED else ICONS[inc.severity]
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{icon} {header}"[:150]}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": (mention_tag(mention) + " " if mention else "") + _lead(event, words),
            },
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": _state_line(inc, tz, words)}],
        },
    ]
    breakdown = _breakdown(inc, words)
    if breakdown:
        blocks.append({"type": "section", "fields": breakdown})
    posts = event.top_mentions[:MAX_POSTS]
    if posts:
        blocks.append({"type": "divider"})
        blocks.extend(_post_block(m, words) for m in posts)
    actions = _actions(event, interactive, words)
    if actions:
        blocks.append({"type": "actions", "block_id": f"incident:{inc.id}", "elements": actions})
    return blocks


def _lead(event: IncidentEvent, words: Words) -> str:
    """What is happening, in words (the pulse's headline, bold), what was found, and
    the numbers behind the headline."""
    title = mrkdwn_escape(words.event_title(event))
    pulse = event.pulse
    if pulse is None:
        return f"*{title}*"
    if not event.incident.is_open:
        return f"*{title}*\n{mrkdwn_escape(words.pulse_detail(pulse))}"
    return (
        f"*{mrkdwn_escape(words.headline(pulse))}*\n{title}\n"
        f"_{mrkdwn_escape(words.pulse_detail(pulse))}_"
    )


def _state_line(inc: Incident, tz: str, words: Words) -> str:
    parts = [
        words("slack.crisis_score", score=inc.crisis_score),
        words("slack.opened", at=_local(inc.opened_at, tz)),
        words("slack.updated", at=_local(inc.updated_at, tz)),
    ]
    if inc.acknowledged_at is not None:
        who = mention_tag(inc.acknowledged_by)
        parts.append(words("slack.acknowledged_at", who=who, at=_local(inc.acknowledged_at, tz)))
    if inc.resolved_at is not None:
        by = f"{mention_tag(inc.resolved_by)} " if inc.resolved_by else ""
        parts.append(words("slack.resolved_at", who=by, at=_local(inc.resolved_at, tz)))
    if inc.muted_until is not None and inc.status is not IncidentStatus.RESOLVED:
        parts.append(words("slack.muted_until", at=_local(inc.muted_until, tz)))
    if inc.first_response_at is not None:
        parts.append(words("slack.first_response", at=_local(inc.first_response_at, tz)))
    parts.append(words("slack.incident", id=inc.id))
    return " · ".join(parts)


def _breakdown(inc: Incident, words: Words) -> list[Block]:
    scores = sorted(
        ((k.removeprefix("score."), v) for k, v in inc.parts.items() if k.startswith("score.")),
        key=lambda kv: -kv[1],
    )
    return [
        {"type": "mrkdwn", "text": f"*{mrkdwn_escape(words.detector(name))}*\n{value:.2f}"}
        for name, value in scores[:10]
    ]


def _post_block(m: Mention, words: Words) -> Block:
    a, e = m.author, m.engagement
    who = [f"*{mrkdwn_escape(a.name or a.id)}*", words.platform(m.platform)]
    if a.verified:
        who.append(words("slack.verified"))
    if a.followers is not None:
        who.append(words("slack.followers", count=words.number(a.followers)))
    if a.influence is not None:
        who.append(words("slack.influence", value=a.influence))
    counts = words("slack.counts", **words.counts(e))
    url = safe_url(m.url)
    link = f"<{url}|{words('slack.open_post')}> · " if url else ""
    text = (
        " · ".join(who)
        + "\n"
        + mrkdwn_escape(excerpt(m.title + " " + m.text if m.title else m.text, 140))
        + "\n"
        + link
        + counts
    )
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _actions(event: IncidentEvent, interactive: bool, words: Words) -> list[Block]:
    inc = event.incident
    elements: list[Block] = []
    if interactive and inc.status is not IncidentStatus.RESOLVED:
        if inc.status is not IncidentStatus.ACKNOWLEDGED:
            elements.append(_button(words("slack.acknowledge"), ACK, inc.id, "primary"))
        elements.append(_button(words("slack.resolve"), RESOLVE, inc.id, None))
        elements.append(_button(words("slack.mute"), MUTE, inc.id, None))
    kibana = event.links.get("kibana")
    if kibana:
        elements.append(
            {
                "type": "button",
                "action_id": "listener.kibana",
                "text": {"type": "plain_text", "text": words("slack.kibana")},
                "url": safe_url(kibana),
            }
        )
    return elements


def _button(label: str, action_id: str, value: str, style: str | None) -> Block:
    button: Block = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def thread_text(event: IncidentEvent, words: Words | None = None) -> str:
    """The reply posted in the incident's thread for a change after the first message."""
    words = words or Words()
    inc = event.incident
    action = event.action
    who = mention_tag(action.by) + " " if action else ""
    title = mrkdwn_escape(words.event_title(event))
    if action is not None and action.kind == "acknowledged":
        return words("slack.reply_acknowledged", who=who)
    if action is not None and action.kind == "muted" and inc.muted_until is not None:
        return words("slack.reply_muted", who=who, at=_local(inc.muted_until, event.timezone))
    if event.change == "resolved":
        return words("slack.reply_resolved", who=who, title=title)
    if event.change == "escalated":
        return words("slack.reply_escalated", severity=inc.severity, title=title)
    headline = mrkdwn_escape(words.headline(event.pulse)) if event.pulse else title
    if event.reason == "doubled" and event.pulse is not None:
        before = inc.announced_negative or 0
        return words(
            "slack.reply_doubled", negative=event.pulse.negative, before=before, headline=headline
        )
    if event.reason == "response" and inc.first_response_at is not None:
        at = _local(inc.first_response_at, event.timezone)
        return words("slack.reply_response", at=at, headline=headline)
    if event.reason == "reminder":
        return words("slack.reply_reminder", headline=headline)
    return words("slack.reply_updated", title=title, score=inc.crisis_score)


def source_blocks(health: SourceHealth, text: str) -> list[Block]:
    icon = ":white_check_mark:" if health.healthy else ":warning:"
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{icon} {mrkdwn_escape(text)}"}}
    ]
