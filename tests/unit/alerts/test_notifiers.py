from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
from pathlib import Path

import pytest

from alerts.base import NotifierError
from alerts.catalogue import Words
from alerts.console import ConsoleNotifier, ConsoleNotifierConfig
from alerts.text import mention_line, safe_url
from alerts.webhook import WebhookNotifier, WebhookNotifierConfig
from listener.demo.http_recorder import http_recorder
from listener.domain import (
    BrandDay,
    Digest,
    Incident,
    IncidentEvent,
    IncidentStatus,
    SourceHealth,
)
from tests.factories import T0, incident_event, mention

INCIDENT = Incident(
    id="abc123",
    brand="小米",
    key="negative-volume",
    status=IncidentStatus.OPEN,
    severity="P2",
    title="负面提及 15 分钟内 47 条，是平时的 6.0 倍",
    opened_at=T0,
    updated_at=T0,
    last_signal_at=T0,
    crisis_score=0.81,
    parts={"negative_surge.share": 0.6},
)
EVENT = IncidentEvent(
    change="opened",
    incident=INCIDENT,
    top_mentions=(
        mention("9", "小米发热严重 " * 20, reposts=12, url="https://m.weibo.cn/status/9"),
    ),
)
DIGEST = Digest(
    period_start=T0,
    period_end=T0 + timedelta(days=1),
    timezone="Asia/Shanghai",
    brands=(
        BrandDay(
            brand="小米",
            mentions=120,
            negative=30,
            previous_mentions_avg=100.0,
            previous_negative_share=0.1,
        ),
    ),
    top_negative=(mention("9", "小米发热严重", reposts=12),),
    incidents=(INCIDENT,),
    unhealthy_sources=(SourceHealth(source="weibo", healthy=False, reason="login wall"),),
)


def test_console_writes_readable_alerts_and_digests(tmp_path: Path) -> None:
    notifier = ConsoleNotifier(ConsoleNotifierConfig(path=tmp_path / "alerts.log"))
    notifier.notify(EVENT)
    notifier.send_digest(DIGEST)
    text = (tmp_path / "alerts.log").read_text(encoding="utf-8")
    assert "[P2] 小米 · 新事件 · 负面提及 15 分钟内 47 条" in text
    assert "negative_surge.share=0.6" in text
    assert "转12" in text and "https://m.weibo.cn/status/9" in text and "…" in text
    assert "小米: 提及 120 (前 7 日均 100.0, 变化 +20%); 负面占比 25% (前 7 日 10%)" in text
    assert "weibo: login wall" in text


def test_webhook_posts_signed_json() -> None:
    with http_recorder() as server:
        notifier = WebhookNotifier(
            WebhookNotifierConfig(name="hook", url=f"{server.url}/hook", secret="shh")
        )  # type: ignore[arg-type]
        notifier.notify(EVENT)
        notifier.send_digest(DIGEST)
    incident, digest = server.requests
    # the signature covers the timestamp and the body (verification as the README says)
    stamp = incident.headers["X-Listener-Timestamp"]
    assert abs(int(stamp) - time.time()) < 60
    signed = stamp.encode() + b"." + incident.body
    expected = "sha256=" + hmac.new(b"shh", signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(incident.headers["X-Listener-Signature"], expected)
    body_only = "sha256=" + hmac.new(b"shh", incident.body, hashlib.sha256).hexdigest()
    assert incident.headers["X-Listener-Signature"] != body_only  # not replayable later
    assert incident.headers["X-Listener-Event"] == "incident.opened"
    payload = json.loads(incident.body)
    assert payload["incident"]["brand"] == "小米" and payload["incident"]["severity"] == "P2"
    assert digest.headers["X-Listener-Event"] == "digest"
    assert json.loads(digest.body)["brands"][0]["mentions"] == 120


def test_smtp_password_over_plain_text_is_refused_unless_allowed() -> None:
    from pydantic import ValidationError

    from alerts.email import EmailNotifierConfig

    plain = {
        "host": "mail",
        "security": "none",
        "username": "u",
        "password": "p",
        "sender": "l@example.com",
    }
    with pytest.raises(ValidationError, match="would send the SMTP password in clear"):
        EmailNotifierConfig.model_validate(plain)
    assert EmailNotifierConfig.model_validate(plain | {"allow_plaintext_login": True})
    assert EmailNotifierConfig.model_validate({**plain, "security": "starttls"})


def test_webhook_failure_is_reported_without_the_secret() -> None:
    with http_recorder() as server:
        server.status = 500
        notifier = WebhookNotifier(
            WebhookNotifierConfig(name="hook", url=f"{server.url}/x?token=abc", secret="shh")
        )  # type: ignore[arg-type]
        with pytest.raises(NotifierError) as caught:
            notifier.notify(EVENT)
    assert str(caught.value) == "webhook hook (127.0.0.1): HTTP 500"
    with pytest.raises(NotifierError, match="webhook hook"):
        WebhookNotifier(
            WebhookNotifierConfig(name="hook", url="http://127.0.0.1:9/", timeout=2)
        ).notify(EVENT)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://m.weibo.cn/status/9?luicode=10000011&access_token=abc&SUB=xyz",
            "https://m.weibo.cn/status/9?luicode=10000011",
        ),
        ("https://user:pass@example.com/a?sig=1&page=2", "https://example.com/a?page=2"),
        ("https://weibo.com/123/Abc#comments", "https://weibo.com/123/Abc#comments"),
        ("javascript:alert(1)", ""),
        ("", ""),
    ],
)
def test_links_in_messages_carry_no_credentials(url: str, shown: str) -> None:
    assert safe_url(url) == shown


def test_webhook_payloads_carry_no_credentials() -> None:
    event = incident_event()  # its posts' URLs carry access_token=SECRET…
    with http_recorder() as server:
        WebhookNotifier(WebhookNotifierConfig(name="hook", url=f"{server.url}/h")).notify(event)  # type: ignore[arg-type]
    body = server.requests[0].body.decode()
    assert "SECRET" not in body and "luicode=10000011" in body


def test_a_count_printed_as_a_floor_is_shown_as_one() -> None:
    post = mention("9", "小米发热严重", reposts=1_000_000)
    floor = post.engagement.model_copy(update={"at_least": ("reposts",)})
    line = mention_line(post.model_copy(update={"engagement": floor}), Words("zh"))
    assert "转100.0万+" in line
    assert "转100.0万+" not in mention_line(post, Words("zh"))
