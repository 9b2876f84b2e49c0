"""What an executive reads first: one sentence per brand, the worst incident on top, gaps
shown as gaps, unknowns as "—", and a source status that does not claim a normal day
when nothing was collected."""

from __future__ import annotations

from datetime import timedelta

from alerts.charts import trend_chart
from alerts.digest_mail import MAX_INCIDENTS, render, render_text, view
from listener.domain import (
    BrandDay,
    Digest,
    Engagement,
    IncidentStatus,
    SourceHealth,
    VolumePoint,
)
from tests.factories import DIGEST_DAY, incident, mention

END = DIGEST_DAY + timedelta(days=1)


def digest(**fields: object) -> Digest:
    values: dict[str, object] = {
        "period_start": DIGEST_DAY,
        "period_end": END,
        "timezone": "Asia/Shanghai",
        "brands": (
            BrandDay(
                brand="小米",
                mentions=60,
                negative=30,
                previous_mentions_avg=20.0,
                previous_negative_share=0.1,
            ),
        ),
        "top_negative": (),
        "incidents": (),
        "unhealthy_sources": (),
        "sources": (SourceHealth(source="weibo", last_success_at=END + timedelta(hours=8)),),
    }
    return Digest.model_validate(values | fields)


def test_one_headline_per_brand_with_the_worst_incident_and_the_team_s_speed() -> None:
    opened = DIGEST_DAY + timedelta(hours=9)
    minor = [
        incident(id=f"p3-{i}", severity="P3", opened_at=opened - timedelta(hours=i))
        for i in range(3)
    ]
    worst = incident(
        id="p1",
        severity="P1",
        opened_at=opened + timedelta(hours=2),
        acknowledged_at=opened + timedelta(hours=2, minutes=8),
    )
    incidents = (*minor, worst)
    text = render_text(digest(incidents=incidents))
    first = text.splitlines()[3]
    assert first == (
        "小米：提及 60，是前 7 日均值的 3.0 倍；负面占比 50%（平时 10%）。"
        "最严重的是 P1 事件「负面提及 15 分钟内 47 条，是平时的 6.0 倍」：8 分钟内确认，"
        "官方尚未回应。"
    )
    rows = [line for line in text.splitlines() if line.startswith("[P")]
    assert [row[:4] for row in rows] == ["[P1]", "[P3]", "[P3]", "[P3]"]  # most severe first


def test_changes_are_worded_by_size_and_english_reads_the_same() -> None:
    def said(mentions: int, avg: float | None, language: str = "zh") -> str:
        brand = BrandDay(
            brand="小米",
            mentions=mentions,
            negative=0,
            previous_mentions_avg=avg,
            previous_negative_share=None,
        )
        return view(digest(brands=(brand,), language=language))["headlines"][0]

    assert "比前 7 日均值多 50%" in said(30, 20.0)
    assert "比前 7 日均值少 50%" in said(10, 20.0)
    assert "与前 7 日均值持平" in said(20, 20.0)
    assert "前 7 日没有提及" in said(5, 0.0)
    assert "此前没有可比的数据" in said(5, None)
    assert "（平时" not in said(5, None)  # no usual share to compare with
    assert (
        said(60, 20.0, "en")
        == "小米: 60 mentions, 3.0× the 7-day average; 0% negative. No incidents."
    )


def test_long_incident_lists_are_cut_after_the_most_severe() -> None:
    many = tuple(incident(id=f"i{i}", severity="P3") for i in range(MAX_INCIDENTS + 5))
    shown = view(digest(incidents=(incident(id="worst", severity="P1"), *many)))
    assert len(shown["incidents"]) == MAX_INCIDENTS
    assert shown["incidents"][0]["severity"] == "P1"
    assert shown["more_incidents"] == "另有 6 起较低级别的事件未列出。"


def test_a_day_nothing_was_collected_is_no_data_not_a_normal_day() -> None:
    empty = digest(
        brands=(
            BrandDay(
                brand="小米",
                mentions=0,
                negative=0,
                previous_mentions_avg=None,
                previous_negative_share=None,
            ),
        ),
        sources=(),
        no_data_days=(DIGEST_DAY,),
    )
    text = render_text(empty)
    assert "这一天没有采集到任何提及：是没有数据，不是没有声音。" in text
    assert "没有任何数据源的采集记录：这一天没有数据。" in text
    assert "所有数据源全天正常采集" not in text
    assert "负面占比 — (前 7 日 —)" in text  # 0 of 0 is unknown, not 0%


def test_a_source_that_collected_nothing_all_day_is_named() -> None:
    stale = SourceHealth(source="tieba", last_success_at=DIGEST_DAY - timedelta(hours=3))
    never = SourceHealth(source="zhihu")
    fresh = SourceHealth(source="weibo", last_success_at=END + timedelta(hours=8))
    text = render_text(digest(sources=(stale, never, fresh)))
    assert "tieba: 全天没有成功采集 (上次成功 11-19 21:00)" in text
    assert "zhihu: 全天没有成功采集 (从未成功)" in text
    assert "weibo" not in text.split("== 数据源状况 ==")[1]
    healthy = render_text(digest(sources=(fresh,)))
    assert "所有数据源全天正常采集。" in healthy


def test_unknown_views_are_left_out_and_known_ones_shown() -> None:
    no_views = mention("a", sentiment="negative", reposts=12)
    viewed = mention("b", sentiment="negative").model_copy(
        update={"engagement": Engagement(reposts=1, views=5000)}
    )
    text = render_text(digest(top_negative=(no_views, viewed)))
    assert "转 12 · 评 0 · 赞 0\n" in text or "转 12 · 评 0 · 赞 0 " in text
    assert "阅 0" not in text
    assert "阅 5,000" in text


def test_trend_days_without_data_are_drawn_as_gaps() -> None:
    days = [VolumePoint(start=DIGEST_DAY - timedelta(days=7 - i), neutral=10) for i in range(8)]
    days[:3] = [VolumePoint(start=d.start) for d in days[:3]]
    gaps = trend_chart(days, "Asia/Shanghai", no_data=[d.start for d in days[:3]])
    zeros = trend_chart(days, "Asia/Shanghai")
    assert gaps.startswith(b"\x89PNG") and gaps != zeros
    mail = render(digest(trend=tuple(days), no_data_days=tuple(d.start for d in days[:3])))
    assert set(mail.images) == {"trend", "brands"}


def test_resolved_incident_reads_with_both_times() -> None:
    opened = DIGEST_DAY + timedelta(hours=10)
    done = incident(
        status=IncidentStatus.RESOLVED,
        opened_at=opened,
        acknowledged_at=opened + timedelta(minutes=12),
        first_response_at=opened + timedelta(minutes=40),
    )
    assert view(digest(incidents=(done,)))["headlines"][0].endswith(
        "：12 分钟内确认，40 分钟后官方首次回应。"
    )
