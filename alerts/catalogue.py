"""Every word people read, in Chinese and English: one catalogue for Slack, e-mail, the
console, the digest, the charts and the CLI's incident lines.

Detectors never write sentences: a signal carries a message key and its facts (numbers,
names, lists); an incident keeps its strongest signal's; the words are chosen here when
a notifier renders, in that notifier's language. ``Words(language)`` is the catalogue in
one language: ``words("slack.acknowledge")``, ``words.signal(key, facts)``,
``words.title(incident)``.

Keys are namespaced by where they are used; both languages have exactly the same keys
and the same placeholders (a test checks).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Literal

from listener.domain import Engagement, Fact, Incident, IncidentEvent, IncidentStatus, Pulse

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

ZH: dict[str, str] = {
    "list.separator": "、",
    # incident states and changes
    "status.open": "进行中",
    "status.escalated": "已升级",
    "status.acknowledged": "已确认",
    "status.resolved": "已解决",
    "change.opened": "新事件",
    "change.escalated": "升级",
    "change.updated": "更新",
    "change.refreshed": "更新",
    "change.resolved": "已解决",
    # platforms and detectors, as people call them
    "platform.weibo": "微博",
    "platform.zhihu": "知乎",
    "platform.bilibili": "B站",
    "platform.tieba": "贴吧",
    "platform.xiaohongshu": "小红书",
    "platform.news": "新闻",
    "detector.volume_spike": "提及量激增",
    "detector.negative_surge": "负面激增",
    "detector.viral_thread": "负面帖扩散",
    "detector.influential_author": "大V 负面",
    "detector.crisis_terms": "危机词",
    "detector.coordinated": "疑似水军",
    # what the detectors found (``Signal.message``)
    "signal.volume_spike.brand": "提及 {minutes} 分钟内 {count:.0f} 条，是平时的 {ratio:.1f} 倍",
    "signal.volume_spike.platform": (
        "{platform} 上提及 {minutes} 分钟内 {count:.0f} 条，是平时的 {ratio:.1f} 倍"
    ),
    "signal.negative_surge.count": (
        "负面提及 {minutes} 分钟内 {count:.0f} 条，是平时的 {ratio:.1f} 倍"
    ),
    "signal.negative_surge.share": (
        "负面提及 {minutes} 分钟内 {count:.0f} 条，占比 {share:.0%}（平时 {usual:.0%}）"
    ),
    "signal.viral_thread.growing": (
        "负面帖子 {hours:.1f} 小时内转发 {reposts:.0f} 次，预计 {horizon:.0f} 小时达 "
        "{predicted:.0f} 次"
    ),
    "signal.influential_author.post": "高影响力用户 {who}（粉丝 {followers}）发布负面内容",
    "signal.influential_author.verified_post": (
        "高影响力用户 {who}（粉丝 {followers}，认证）发布负面内容"
    ),
    "signal.crisis_terms.burst": (
        "危机词提及 {minutes} 分钟内 {count:.0f} 条（{terms}），平时约 {expected:.1f} 条"
    ),
    "signal.crisis_terms.burst_new": (
        "危机词提及 {minutes} 分钟内 {count:.0f} 条（{terms}），平时约 {expected:.1f} 条；"
        "新出现：{new}"
    ),
    "signal.crisis_terms.new_topic": "负面提及中新出现的话题：{new}",
    "signal.coordinated.burst": (
        "疑似水军：{minutes} 分钟内 {posts:.0f} 条近似内容来自 {authors:.0f} 个低影响力账号"
    ),
    # notes added to an incident's title
    "incident.silent": "（已 {minutes} 分钟无官方回应）",
    "incident.impaired": "（注意：数据源异常：{sources}）",
    # one incident as text (console, e-mail alerts, logs)
    "text.engagement": "转{reposts} 评{comments} 赞{likes}",
    # Slack
    "slack.crisis_score": "危机指数 *{score:.2f}*",
    "slack.opened": "开始 {at}",
    "slack.updated": "更新 {at}",
    "slack.acknowledged_at": "{who} 确认于 {at}",
    "slack.resolved_at": "{who}解决于 {at}",
    "slack.muted_until": "静音至 {at}",
    "slack.first_response": "官方首次回应 {at}",
    "slack.incident": "事件 `{id}`",
    "slack.verified": "认证",
    "slack.followers": "粉丝 {count}",
    "slack.influence": "影响力 {value:.2f}",
    "slack.open_post": "查看原帖",
    "slack.counts": "转 {reposts} · 评 {comments} · 赞 {likes}",
    "slack.acknowledge": "确认",
    "slack.resolve": "解决",
    "slack.mute": "静音 1 小时",
    "slack.kibana": "在 Kibana 中查看",
    "slack.reply_acknowledged": ":eyes: {who}已确认，正在处理",
    "slack.reply_muted": ":no_bell: {who}静音至 {at}",
    "slack.reply_resolved": ":white_check_mark: {who}已解决：{title}",
    "slack.reply_escalated": ":arrow_double_up: 升级为 *{severity}*：{title}",
    "slack.reply_updated": "更新：{title}（危机指数 {score:.2f}）",
    "slack.chart_title": "{brand} 近几小时提及",
    "slack.reply_doubled": (
        ":chart_with_upwards_trend: 负面提及翻倍：事件开始以来 {negative} 条"
        "（上次通报时 {before} 条）。{headline}"
    ),
    "slack.reply_response": ":speech_balloon: 品牌官方已回应（{at}）。{headline}",
    "slack.reply_reminder": ":bell: 提醒：事件仍未解决。{headline}",
    "pulse.times": "负面提及是平时的 {ratio} 倍",
    "pulse.quiet": "平时几乎没有负面提及，过去一小时有 {count} 条",
    "pulse.unknown": "过去一小时负面提及 {count} 条",
    "pulse.accelerating": "，并在加速",
    "pulse.slowing": "，已在放缓",
    "pulse.steady": "，势头未减",
    "pulse.usual": "过去一小时负面 {last} 条，平时每小时 {usual} 条",
    "pulse.last": "过去一小时负面 {last} 条",
    "pulse.size": "事件开始以来提及 {mentions} 条，其中负面 {negative} 条（{share}）",
    # operational alerts: a source broke or came back
    "source.recovered": "【数据源恢复】{source}: 采集已恢复正常",
    "source.unhealthy": "【数据源异常】{source}: {reason}",
    "source.last_success": "上次成功：{at}；连续失败 {failures} 次",
    "source.never": "从未成功",
    "source.advice": "该数据源的提及量可能偏低，请检查 cookie、配置或网站是否改版。",
    # charts
    "chart.negative": "负面",
    "chart.neutral": "中性",
    "chart.positive": "正面",
    "chart.volume": "近 {hours} 小时提及（按情感）",
    "chart.trend": "每日提及（按情感）",
    "chart.brands": "各品牌提及：当日 vs 前 7 日均值",
    "chart.yesterday": "当日",
    "chart.average": "前 7 日均值",
    # the daily digest (``digest.*`` is the templates' ``w``)
    "digest.title": "舆情日报",
    "digest.intro": "{day}（{tz}）全天，与前 7 日对比。",
    "digest.brands": "各品牌提及",
    "digest.brand": "品牌",
    "digest.mentions": "提及",
    "digest.avg": "前 7 日均",
    "digest.change": "变化",
    "digest.negative_share": "负面占比",
    "digest.prev_share": "前 7 日",
    "digest.trend": "情感趋势",
    "digest.top_negative": "负面热帖",
    "digest.reach": "转 {reposts} · 评 {comments} · 赞 {likes} · 阅 {views}",
    "digest.open": "查看",
    "digest.authors": "高影响力作者",
    "digest.author": "作者",
    "digest.followers": "粉丝",
    "digest.influence": "影响力",
    "digest.negative": "负面",
    "digest.engagement": "互动",
    "digest.incidents": "事件",
    "digest.incident_summary": "新开 {opened} 起，已解决 {resolved} 起",
    "digest.to_ack": "确认用时",
    "digest.to_response": "官方首次回应",
    "digest.none": "—",
    "digest.no_incidents": "昨日没有事件。",
    "digest.sources": "数据源状况",
    "digest.sources_ok": "所有数据源全天正常采集。",
    "digest.sources_warn": "以下数据源异常：这些平台的安静不代表没有声音。",
    "digest.last_success": "上次成功",
    "digest.never": "从未成功",
    "digest.ongoing": "仍未恢复",
    "digest.headline": "{brand}：提及 {mentions}，{change}；负面占比 {share}{usual}。{worst}",
    "digest.vs_times": "是前 7 日均值的 {ratio:.1f} 倍",
    "digest.vs_up": "比前 7 日均值多 {pct:.0%}",
    "digest.vs_down": "比前 7 日均值少 {pct:.0%}",
    "digest.vs_flat": "与前 7 日均值持平",
    "digest.vs_none": "此前没有可比的数据",
    "digest.vs_new": "前 7 日没有提及",
    "digest.usual_share": "（平时 {share}）",
    "digest.worst": "最严重的是 {severity} 事件「{title}」：{ack}，{response}。",
    "digest.acked_in": "{duration}内确认",
    "digest.not_acked": "尚未确认",
    "digest.responded_in": "{duration}后官方首次回应",
    "digest.no_response": "官方尚未回应",
    "digest.calm": "没有事件。",
    "digest.day_without_data": "这一天没有采集到任何提及：是没有数据，不是没有声音。",
    "digest.more_incidents": "另有 {count} 起较低级别的事件未列出。",
    "digest.reach_no_views": "转 {reposts} · 评 {comments} · 赞 {likes}",
    "digest.sources_none": "没有任何数据源的采集记录：这一天没有数据。",
    "digest.stale": "全天没有成功采集",
    "digest.no_data": "无数据",
    "digest.footer": "由 Listener 自动生成。数字来自 {day} 的采集；互动数为最后一次采集时的值。",
    "digest.minutes": "{value:.0f} 分钟",
    "digest.hours": "{value:.1f} 小时",
}

EN: dict[str, str] = {
    "list.separator": ", ",
    "status.open": "open",
    "status.escalated": "escalated",
    "status.acknowledged": "acknowledged",
    "status.resolved": "resolved",
    "change.opened": "new incident",
    "change.escalated": "escalated",
    "change.updated": "update",
    "change.refreshed": "update",
    "change.resolved": "resolved",
    "platform.weibo": "Weibo",
    "platform.zhihu": "Zhihu",
    "platform.bilibili": "Bilibili",
    "platform.tieba": "Tieba",
    "platform.xiaohongshu": "Xiaohongshu",
    "platform.news": "news",
    "detector.volume_spike": "Mention spike",
    "detector.negative_surge": "Negative surge",
    "detector.viral_thread": "Spreading thread",
    "detector.influential_author": "Influential critic",
    "detector.crisis_terms": "Crisis words",
    "detector.coordinated": "Coordinated posting",
    "signal.volume_spike.brand": ("{count:.0f} mentions in {minutes} min, {ratio:.1f}× the usual"),
    "signal.volume_spike.platform": (
        "{count:.0f} mentions on {platform} in {minutes} min, {ratio:.1f}× the usual"
    ),
    "signal.negative_surge.count": (
        "{count:.0f} negative mentions in {minutes} min, {ratio:.1f}× the usual"
    ),
    "signal.negative_surge.share": (
        "{count:.0f} negative mentions in {minutes} min, {share:.0%} of all (usually {usual:.0%})"
    ),
    "signal.viral_thread.growing": (
        "A negative post was reposted {reposts:.0f} times in {hours:.1f} h; forecast "
        "{predicted:.0f} within {horizon:.0f} h"
    ),
    "signal.influential_author.post": (
        "Influential author {who} ({followers} followers) posted something negative"
    ),
    "signal.influential_author.verified_post": (
        "Influential verified author {who} ({followers} followers) posted something negative"
    ),
    "signal.crisis_terms.burst": (
        "{count:.0f} mentions with crisis words ({terms}) in {minutes} min, usually about "
        "{expected:.1f}"
    ),
    "signal.crisis_terms.burst_new": (
        "{count:.0f} mentions with crisis words ({terms}) in {minutes} min, usually about "
        "{expected:.1f}; new: {new}"
    ),
    "signal.crisis_terms.new_topic": "New topics in negative mentions: {new}",
    "signal.coordinated.burst": (
        "Possible astroturfing: {posts:.0f} near-identical posts from {authors:.0f} tiny "
        "accounts in {minutes} min"
    ),
    "incident.silent": " (no official response for {minutes} min)",
    "incident.impaired": " (note: sources impaired: {sources})",
    "text.engagement": "{reposts} reposts, {comments} comments, {likes} likes",
    "slack.crisis_score": "Crisis score *{score:.2f}*",
    "slack.opened": "opened {at}",
    "slack.updated": "updated {at}",
    "slack.acknowledged_at": "acknowledged by {who} at {at}",
    "slack.resolved_at": "resolved {who}at {at}",
    "slack.muted_until": "muted until {at}",
    "slack.first_response": "first official response {at}",
    "slack.incident": "incident `{id}`",
    "slack.verified": "verified",
    "slack.followers": "{count} followers",
    "slack.influence": "influence {value:.2f}",
    "slack.open_post": "Open post",
    "slack.counts": "{reposts} reposts · {comments} comments · {likes} likes",
    "slack.acknowledge": "Acknowledge",
    "slack.resolve": "Resolve",
    "slack.mute": "Mute 1 h",
    "slack.kibana": "Open in Kibana",
    "slack.reply_acknowledged": ":eyes: {who}acknowledged, on it",
    "slack.reply_muted": ":no_bell: {who}muted until {at}",
    "slack.reply_resolved": ":white_check_mark: {who}resolved: {title}",
    "slack.reply_escalated": ":arrow_double_up: escalated to *{severity}*: {title}",
    "slack.reply_updated": "Update: {title} (crisis score {score:.2f})",
    "slack.chart_title": "{brand}: mentions in the last hours",
    "slack.reply_doubled": (
        ":chart_with_upwards_trend: Negative mentions doubled: {negative} since it opened"
        " ({before} when last told). {headline}"
    ),
    "slack.reply_response": (
        ":speech_balloon: The brand has responded officially ({at}). {headline}"
    ),
    "slack.reply_reminder": ":bell: Reminder: still open. {headline}",
    "pulse.times": "Negative mentions are {ratio}× the usual",
    "pulse.quiet": "Usually almost no negative mentions; {count} in the last hour",
    "pulse.unknown": "{count} negative mentions in the last hour",
    "pulse.accelerating": ", and accelerating",
    "pulse.slowing": ", and slowing down",
    "pulse.steady": ", not letting up",
    "pulse.usual": "{last} negative in the last hour, {usual} in a usual hour",
    "pulse.last": "{last} negative in the last hour",
    "pulse.size": "{mentions} mentions since it opened, {negative} of them negative ({share})",
    "source.recovered": "[source recovered] {source}: collecting normally again",
    "source.unhealthy": "[source down] {source}: {reason}",
    "source.last_success": "last success: {at}; {failures} failures in a row",
    "source.never": "never",
    "source.advice": (
        "This source's mention counts may be low: check its cookie, its config or whether "
        "the site changed."
    ),
    "chart.negative": "negative",
    "chart.neutral": "neutral",
    "chart.positive": "positive",
    "chart.volume": "Mentions in the last {hours} h, by sentiment",
    "chart.trend": "Mentions per day, by sentiment",
    "chart.brands": "Mentions per brand: the day vs the 7-day average",
    "chart.yesterday": "the day",
    "chart.average": "7-day average",
    "digest.title": "Daily listening digest",
    "digest.intro": "{day} ({tz}), compared with the 7 days before.",
    "digest.brands": "Mentions by brand",
    "digest.brand": "Brand",
    "digest.mentions": "Mentions",
    "digest.avg": "7-day avg",
    "digest.change": "Change",
    "digest.negative_share": "Negative",
    "digest.prev_share": "7 days before",
    "digest.trend": "Sentiment trend",
    "digest.top_negative": "Top negative threads",
    "digest.reach": "{reposts} reposts · {comments} comments · {likes} likes · {views} views",
    "digest.open": "open",
    "digest.authors": "Influential authors",
    "digest.author": "Author",
    "digest.followers": "Followers",
    "digest.influence": "Influence",
    "digest.negative": "Negative",
    "digest.engagement": "Engagement",
    "digest.incidents": "Incidents",
    "digest.incident_summary": "{opened} opened, {resolved} resolved",
    "digest.to_ack": "Time to acknowledge",
    "digest.to_response": "First official response",
    "digest.none": "—",
    "digest.no_incidents": "No incidents on the day.",
    "digest.sources": "Collection health",
    "digest.sources_ok": "Every source collected normally all day.",
    "digest.sources_warn": "These sources were impaired: quiet there does not mean no voices.",
    "digest.last_success": "last success",
    "digest.never": "never collected",
    "digest.ongoing": "ongoing",
    "digest.headline": "{brand}: {mentions} mentions, {change}; {share} negative{usual}. {worst}",
    "digest.vs_times": "{ratio:.1f}× the 7-day average",
    "digest.vs_up": "{pct:.0%} above the 7-day average",
    "digest.vs_down": "{pct:.0%} below the 7-day average",
    "digest.vs_flat": "level with the 7-day average",
    "digest.vs_none": "nothing earlier to compare with",
    "digest.vs_new": "none in the 7 days before",
    "digest.usual_share": " (usually {share})",
    "digest.worst": "Worst: {severity} incident “{title}”, {ack}, {response}.",
    "digest.acked_in": "acknowledged in {duration}",
    "digest.not_acked": "not yet acknowledged",
    "digest.responded_in": "first official response after {duration}",
    "digest.no_response": "no official response yet",
    "digest.calm": "No incidents.",
    "digest.day_without_data": "Nothing was collected on this day: no data, not silence.",
    "digest.more_incidents": "{count} lower-severity incidents not listed.",
    "digest.reach_no_views": "{reposts} reposts · {comments} comments · {likes} likes",
    "digest.sources_none": "No source has any collection on record: there is no data for this day.",
    "digest.stale": "no successful collection all day",
    "digest.no_data": "no data",
    "digest.footer": (
        "Generated by Listener from what was collected on {day}; engagement as last seen."
    ),
    "digest.minutes": "{value:.0f} min",
    "digest.hours": "{value:.1f} h",
}

CATALOGUE: dict[Language, dict[str, str]] = {"zh": ZH, "en": EN}


def placeholders(template: str) -> set[str]:
    """The names a template fills in (``{count:.0f}`` → ``count``)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def language_of(value: str | None, default: Language = "zh") -> Language:
    for language in LANGUAGES:
        if value == language:
            return language
    return default


class Words:
    """The catalogue in one language."""

    def __init__(self, language: str = "zh") -> None:
        self.language: Language = language_of(language)
        self._words = CATALOGUE[self.language]

    def __call__(self, key: str, **values: object) -> str:
        return self._words[key].format(**values)

    def section(self, prefix: str) -> dict[str, str]:
        """The keys under ``prefix.`` without it (the digest templates' ``w``)."""
        start = prefix + "."
        return {k[len(start) :]: v for k, v in self._words.items() if k.startswith(start)}

    def join(self, items: tuple[str, ...] | list[str]) -> str:
        return self._words["list.separator"].join(items)

    def number(self, n: float) -> str:
        """A count as people read it: 3.2万 / 1.5亿 in Chinese, 32.0K / 1.5M in English."""
        units = ((1e8, "亿"), (1e4, "万")) if self.language == "zh" else ((1e6, "M"), (1e4, "K"))
        for size, unit in units:
            scale = size if unit != "K" else 1e3
            if n >= size:
                return f"{n / scale:.1f}{unit}"
        return f"{n:g}"

    def counts(self, engagement: Engagement) -> dict[str, str]:
        """Reposts, comments, likes and views as people read them; a count the platform
        printed as a floor keeps its ``+`` (100.0万+)."""
        return {
            name: self.number(getattr(engagement, name))
            + ("+" if engagement.is_floor(name) else "")
            for name in ("reposts", "comments", "likes", "views")
        }

    def platform(self, name: str) -> str:
        return self._words.get(f"platform.{name}", name)

    def detector(self, name: str) -> str:
        return self._words.get(f"detector.{name}", name)

    def status(self, status: IncidentStatus) -> str:
        return self._words[f"status.{status.value}"]

    def signal(self, message: str, facts: Mapping[str, Fact]) -> str:
        """What a detector found, in words. A message this catalogue does not know (a
        plugin's own) is shown as its key and facts, never dropped."""
        values = {
            name: self.join(value)
            if isinstance(value, tuple)
            else self.platform(value)
            if name == "platform" and isinstance(value, str)
            else value
            for name, value in facts.items()
        }
        template = self._words.get(f"signal.{message}")
        if template is not None:
            try:
                return template.format(**values)
            except (KeyError, ValueError, IndexError):
                pass
        detail = ", ".join(f"{k}={v}" for k, v in sorted(values.items()))
        return f"{message} ({detail})" if detail else message

    def title(self, incident: Incident) -> str:
        """The incident in one line: its strongest finding, and the silence note."""
        text = self.signal(incident.message, incident.facts) if incident.message else incident.title
        if incident.silent_for_minutes is not None:
            text += self("incident.silent", minutes=incident.silent_for_minutes)
        return text

    def headline(self, pulse: Pulse) -> str:
        """The incident's size and trend in one sentence: 负面提及是平时的 6 倍，并在加速."""
        ratio = pulse.ratio
        if ratio is not None:
            shown = f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.1f}".removesuffix(".0")
            text = self("pulse.times", ratio=shown)
        elif pulse.usual_per_hour is not None:
            text = self("pulse.quiet", count=pulse.negative_last_hour)
        else:
            text = self("pulse.unknown", count=pulse.negative_last_hour)
        return text + self(f"pulse.{pulse.trend}")

    def pulse_detail(self, pulse: Pulse) -> str:
        """The numbers behind the headline."""
        usual = pulse.usual_per_hour
        first = (
            self("pulse.usual", last=pulse.negative_last_hour, usual=f"{usual:.1f}")
            if usual is not None
            else self("pulse.last", last=pulse.negative_last_hour)
        )
        size = self(
            "pulse.size",
            mentions=pulse.mentions,
            negative=pulse.negative,
            share=f"{pulse.negative_share:.0%}",
        )
        return first + ("；" if self.language == "zh" else "; ") + size

    def event_title(self, event: IncidentEvent) -> str:
        """The title as announced: with a warning when collection was impaired."""
        text = self.title(event.incident)
        if event.impaired_sources:
            text += self("incident.impaired", sources=self.join(event.impaired_sources))
        return text
