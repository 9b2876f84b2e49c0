"""Plain-text rendering of incidents and digests (console, logs, email text parts)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from listener.domain import Digest, IncidentEvent, Mention, SourceHealth

_CHANGE = {"opened": "新事件", "escalated": "升级", "updated": "更新", "resolved": "已解决"}


def excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def mention_line(m: Mention) -> str:
    e = m.engagement
    who = m.author.name or m.author.id
    return (
        f"  · {who} ({m.platform}, 转{e.reposts} 评{e.comments} 赞{e.likes}): "
        f"{excerpt(m.text)} {m.url}"
    ).rstrip()


def render_event(event: IncidentEvent) -> str:
    inc = event.incident
    parts = ", ".join(f"{k}={v:g}" for k, v in sorted(inc.parts.items()))
    lines = [
        f"[{inc.severity}] {inc.brand} · {_CHANGE[event.change]} · {inc.title}",
        f"  incident={inc.id} status={inc.status.value} score={inc.crisis_score:.2f}"
        + (f" ({parts})" if parts else ""),
    ]
    lines.extend(mention_line(m) for m in event.top_mentions)
    lines.extend(f"  {name}: {url}" for name, url in sorted(event.links.items()))
    return "\n".join(lines)


def render_digest(digest: Digest) -> str:
    tz = ZoneInfo(digest.timezone)
    start = digest.period_start.astimezone(tz).strftime("%Y-%m-%d")
    lines = [f"舆情日报 {start} ({digest.timezone})", ""]
    for b in digest.brands:
        lines.append(
            f"{b.brand}: {b.mentions} 条提及 (前 7 日均 {b.previous_mentions_avg:.1f}), "
            f"负面 {b.negative_share:.0%} (前 7 日 {b.previous_negative_share:.0%})"
        )
    if digest.top_negative:
        lines += ["", "负面热帖:"]
        lines.extend(mention_line(m) for m in digest.top_negative)
    if digest.incidents:
        lines += ["", "事件:"]
        lines.extend(
            f"  [{i.severity}] {i.brand} {i.title} ({i.status.value})" for i in digest.incidents
        )
    if digest.unhealthy_sources:
        lines += ["", "异常数据源 (这些来源的安静不代表没有声音):"]
        lines.extend(f"  {s.source}: {s.reason}" for s in digest.unhealthy_sources)
    return "\n".join(lines)


def render_source_health(health: SourceHealth) -> str:
    """One operational alert: which source, what is wrong, what to do."""
    if health.healthy:
        return f"【数据源恢复】{health.source}: 采集已恢复正常 (source recovered)"
    last = health.last_success_at.isoformat() if health.last_success_at else "从未成功 (never)"
    return (
        f"【数据源异常】{health.source}: {health.reason}\n"
        f"上次成功 (last success): {last}; 连续失败 (failures in a row): "
        f"{health.consecutive_failures}\n"
        "该数据源的提及量可能偏低，请检查 cookie、配置或网站改版 (check cookie, config, layout)."
    )
