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

from alerts.text import PLATFORMS, STATUS, excerpt, safe_url
from listener.domain import Incident, IncidentEvent, IncidentStatus, Mention, SourceHealth

Block = dict[str, Any]
ACK, RESOLVE, MUTE = "listener.acknowledge", "listener.resolve", "listener.mute"
ICONS = {"P1": ":red_circle:", "P2": ":large_orange_circle:", "P3": ":large_yellow_circle:"}
DETECTORS = {
    "volume_spike": "提及量激增",
    "negative_surge": "负面激增",
    "viral_thread": "负面帖扩散",
    "influential_author": "大V 负面",
    "crisis_terms": "危机词",
    "coordinated": "疑似水军",
}
MAX_POSTS = 5


def mrkdwn_escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _local(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")


def _count(n: int | float) -> str:
    if n >= 100_000_000:
        return f"{n / 100_000_000:.1f}亿"
    if n >= 10_000:
        return f"{n / 10_000:.1f}万"
    return f"{n:g}"


def mention_tag(who: str | None) -> str:
    """``<!subteam^S…>`` for a user group, ``<@U…>`` for a person."""
    if not who:
        return ""
    return f"<!subteam^{who}>" if who.startswith("S") else f"<@{who}>"


def incident_blocks(
    event: IncidentEvent, *, interactive: bool, mention: str | None = None
) -> list[Block]:
    inc = event.incident
    tz = event.timezone
    header = f"{inc.severity} · {inc.brand} · {STATUS[inc.status]}"
    icon = ":white_check_mark:" if inc.status is IncidentStatus.RESOLVED else ICONS[inc.severity]
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{icon} {header}"[:150]}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": (mention_tag(mention) + " " if mention else "")
                + f"*{mrkdwn_escape(inc.title)}*",
            },
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _state_line(inc, tz)}]},
    ]
    breakdown = _breakdown(inc)
    if breakdown:
        blocks.append({"type": "section", "fields": breakdown})
    posts = event.top_mentions[:MAX_POSTS]
    if posts:
        blocks.append({"type": "divider"})
        blocks.extend(_post_block(m) for m in posts)
    actions = _actions(event, interactive)
    if actions:
        blocks.append({"type": "actions", "block_id": f"incident:{inc.id}", "elements": actions})
    return blocks


def _state_line(inc: Incident, tz: str) -> str:
    parts = [
        f"危机指数 *{inc.crisis_score:.2f}*",
        f"开始 {_local(inc.opened_at, tz)}",
        f"更新 {_local(inc.updated_at, tz)}",
    ]
    if inc.acknowledged_at is not None:
        parts.append(f"{mention_tag(inc.acknowledged_by)} 确认于 {_local(inc.acknowledged_at, tz)}")
    if inc.resolved_at is not None:
        by = f"{mention_tag(inc.resolved_by)} " if inc.resolved_by else ""
        parts.append(f"{by}解决于 {_local(inc.resolved_at, tz)}")
    if inc.muted_until is not None and inc.status is not IncidentStatus.RESOLVED:
        parts.append(f"静音至 {_local(inc.muted_until, tz)}")
    if inc.first_response_at is not None:
        parts.append(f"官方首次回应 {_local(inc.first_response_at, tz)}")
    parts.append(f"事件 `{inc.id}`")
    return " · ".join(parts)


def _breakdown(inc: Incident) -> list[Block]:
    scores = sorted(
        ((k.removeprefix("score."), v) for k, v in inc.parts.items() if k.startswith("score.")),
        key=lambda kv: -kv[1],
    )
    return [
        {"type": "mrkdwn", "text": f"*{DETECTORS.get(name, name)}*\n{value:.2f}"}
        for name, value in scores[:10]
    ]


def _post_block(m: Mention) -> Block:
    a, e = m.author, m.engagement
    who = [f"*{mrkdwn_escape(a.name or a.id)}*", PLATFORMS.get(m.platform, m.platform)]
    if a.verified:
        who.append("认证")
    if a.followers is not None:
        who.append(f"粉丝 {_count(a.followers)}")
    if a.influence is not None:
        who.append(f"影响力 {a.influence:.2f}")
    counts = f"转 {_count(e.reposts)} · 评 {_count(e.comments)} · 赞 {_count(e.likes)}"
    url = safe_url(m.url)
    link = f"<{url}|查看原帖> · " if url else ""
    text = (
        " · ".join(who)
        + "\n"
        + mrkdwn_escape(excerpt(m.title + " " + m.text if m.title else m.text, 140))
        + "\n"
        + link
        + counts
    )
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _actions(event: IncidentEvent, interactive: bool) -> list[Block]:
    inc = event.incident
    elements: list[Block] = []
    if interactive and inc.status is not IncidentStatus.RESOLVED:
        if inc.status is not IncidentStatus.ACKNOWLEDGED:
            elements.append(_button("确认 Acknowledge", ACK, inc.id, "primary"))
        elements.append(_button("解决 Resolve", RESOLVE, inc.id, None))
        elements.append(_button("静音 1 小时 Mute 1h", MUTE, inc.id, None))
    kibana = event.links.get("kibana")
    if kibana:
        elements.append(
            {
                "type": "button",
                "action_id": "listener.kibana",
                "text": {"type": "plain_text", "text": "在 Kibana 中查看"},
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


def thread_text(event: IncidentEvent) -> str:
    """The reply posted in the incident's thread for a change after the first message."""
    inc = event.incident
    action = event.action
    who = mention_tag(action.by) + " " if action else ""
    if action is not None and action.kind == "acknowledged":
        return f":eyes: {who}已确认，正在处理"
    if action is not None and action.kind == "muted" and inc.muted_until is not None:
        return f":no_bell: {who}静音至 {_local(inc.muted_until, event.timezone)}"
    if event.change == "resolved":
        return f":white_check_mark: {who}已解决：{mrkdwn_escape(inc.title)}"
    if event.change == "escalated":
        return f":arrow_double_up: 升级为 *{inc.severity}*：{mrkdwn_escape(inc.title)}"
    return f"更新：{mrkdwn_escape(inc.title)}（危机指数 {inc.crisis_score:.2f}）"


def source_blocks(health: SourceHealth, text: str) -> list[Block]:
    icon = ":white_check_mark:" if health.healthy else ":warning:"
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{icon} {mrkdwn_escape(text)}"}}
    ]
