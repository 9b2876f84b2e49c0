"""Plain-text rendering of incidents and digests (console, logs, email text parts)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from listener.domain import Digest, IncidentEvent, IncidentStatus, Mention, SourceHealth

STATUS = {
    IncidentStatus.OPEN: "进行中",
    IncidentStatus.ESCALATED: "已升级",
    IncidentStatus.ACKNOWLEDGED: "已确认",
    IncidentStatus.RESOLVED: "已解决",
}
PLATFORMS = {
    "weibo": "微博",
    "zhihu": "知乎",
    "bilibili": "B站",
    "tieba": "贴吧",
    "xiaohongshu": "小红书",
    "news": "新闻",
}


def fallback_text(event: IncidentEvent) -> str:
    """The notification line (phones, screen readers, clients without blocks)."""
    inc = event.incident
    return f"[{inc.severity}] {inc.brand}: {inc.title} ({STATUS[inc.status]})"


_CHANGE = {"opened": "新事件", "escalated": "升级", "updated": "更新", "resolved": "已解决"}


_SECRET_PARAM = re.compile(
    r"token|cookie|session|secret|signature|passport|password|passwd|credential|auth"
    r"|^(key|apikey|api_key|sig|sign|sid|code|ticket|sub|subp|st)$",
    re.IGNORECASE,
)


def safe_url(url: str) -> str:
    """A link safe to show in a message: credentials in the authority and query
    parameters that look like tokens, cookies or signatures are removed."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https"):
        return ""
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _SECRET_PARAM.search(k)
        ]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


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


def mention_line(m: Mention) -> str:
    e = m.engagement
    who = m.author.name or m.author.id
    return (
        f"  · {who} ({m.platform}, 转{e.reposts} 评{e.comments} 赞{e.likes}): "
        f"{excerpt(m.text)} {safe_url(m.url)}"
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
    lines.extend(f"  {name}: {safe_url(url)}" for name, url in sorted(event.links.items()))
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
