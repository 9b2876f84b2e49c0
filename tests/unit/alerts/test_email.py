"""The digest e-mail through a real local SMTP server (aiosmtpd), parsed as delivered."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from alerts.base import NotifierAuthError
from alerts.digest_mail import render
from alerts.email import EmailNotifier, EmailNotifierConfig
from listener.app import App
from listener.config.models import Config
from tests.factories import DIGEST_NOW, incident_event, seed_digest_day
from tests.smtp_server import PASSWORD, USER, Mailbox, self_signed, smtp_server


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


def digest_app(config_for: Callable[[str], Config], port: int, language: str = "zh") -> App:
    app = App.build(
        config_for(
            f"""
            brands: [{{name: 小米}}, {{name: 蔚来}}]
            notifiers:
              - {{type: email, name: mail, host: 127.0.0.1, port: {port}, security: none,
                  sender: "Listener <listener@example.com>"}}
            digest:
              groups:
                - {{name: leadership, language: {language},
                    recipients: [ceo@example.com, pr-lead@example.com]}}
            """
        )
    )
    seed_digest_day(app.store)
    return app


def parts(message: EmailMessage) -> tuple[str, str, dict[str, bytes]]:
    """The text part, the HTML part, and the images by Content-ID."""
    assert message.get_content_type() == "multipart/alternative"
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None and html_part is not None
    images = {}
    for part in message.walk():
        if part.get_content_type() == "image/png":
            images[str(part["Content-ID"]).strip("<>")] = part.get_payload(decode=True)
    return str(text_part.get_content()), str(html_part.get_content()), images


def test_the_digest_arrives_with_both_parts_and_its_charts(
    config_for: Callable[[str], Config], mailbox: Mailbox
) -> None:
    app = digest_app(config_for, mailbox.port)
    try:
        app.digests.send("leadership", DIGEST_NOW)
        assert app.deliveries.deliver(DIGEST_NOW) == {"sent": 1}
        assert app.deliveries.deliver(DIGEST_NOW) == {}  # sent once
    finally:
        app.close()
    (mail,) = mailbox.delivered
    assert mail.recipients == ["ceo@example.com", "pr-lead@example.com"]
    assert mail.message["Subject"] == "舆情日报 2026-11-20"
    text, html, images = parts(mail.message)

    # numbers as the store has them (see seed_digest_day)
    assert "小米: 提及 12 (前 7 日均 7.0, 变化 +71%); 负面占比 33% (前 7 日 14%)" in text
    assert "蔚来: 提及 3 (前 7 日均 0.0, 变化 —); 负面占比 0% (前 7 日 —)" in text
    assert "1. 用户d0 (微博): 小米SU7 第0条评论，刹车失灵，维权！" in text
    assert "第2条" not in text.split("== 高影响力作者")[0]  # one post per thread
    assert "1. 数码大V (微博) 粉丝 2,300,000, 影响力 0.91; 提及 2, 负面 1" in text
    assert "新开 1 起，已解决 1 起" in text
    assert "确认用时 12 分钟; 官方首次回应 40 分钟" in text
    assert "weibo-web: captcha" in text and "zhihu: login wall" in text
    for word in ("12", "33%", "数码大V", "12 分钟", "40 分钟", "weibo-web", "zhihu"):
        assert word in html  # the same facts in both parts

    # every image is attached and referenced, every reference is attached
    referenced = set(re.findall(r'src="cid:([^"]+)"', html))
    assert referenced == set(images) and len(images) == 2
    assert all(png.startswith(b"\x89PNG") and len(png) > 5000 for png in images.values())
    assert "<style" not in html and 'style="' in html  # inline CSS only


def test_english_digest(config_for: Callable[[str], Config], mailbox: Mailbox) -> None:
    app = digest_app(config_for, mailbox.port, language="en")
    try:
        app.digests.send("leadership", DIGEST_NOW)
        app.deliveries.deliver(DIGEST_NOW)
    finally:
        app.close()
    message = mailbox.delivered[0].message
    assert message["Subject"] == "Daily listening digest 2026-11-20"
    text, _, _ = parts(message)
    assert "小米: Mentions 12 (7-day avg 7.0, Change +71%)" in text


def test_starttls_and_login(tmp_path: Path) -> None:
    config = EmailNotifierConfig(
        host="127.0.0.1",
        security="starttls",
        username=USER,
        password=PASSWORD,
        sender="listener@example.com",
        recipients=["pr@example.com"],
        verify_tls=False,  # the test server's certificate is self-signed
    )
    with smtp_server(tls=self_signed(tmp_path), login=True) as box:
        EmailNotifier(config.model_copy(update={"port": box.port})).notify(incident_event())
        (mail,) = box.delivered
    assert mail.message["Subject"].startswith("[P2] 小米: 负面提及 15 分钟内 47 条")
    assert "https://m.weibo.cn/status/p0?luicode=10000011" in mail.message.get_content()
    assert "SECRET" not in mail.message.as_string()


def test_implicit_tls(tmp_path: Path) -> None:
    with smtp_server(tls=self_signed(tmp_path), login=True, implicit_tls=True) as box:
        config = EmailNotifierConfig(
            host="127.0.0.1",
            port=box.port,
            security="ssl",
            username=USER,
            password=PASSWORD,
            sender="listener@example.com",
            recipients=["pr@example.com"],
            verify_tls=False,
        )
        EmailNotifier(config).notify(incident_event())
        assert len(box.delivered) == 1


def test_a_refused_login_is_an_auth_error_without_the_password(tmp_path: Path) -> None:
    with smtp_server(tls=self_signed(tmp_path), login=True) as box:
        config = EmailNotifierConfig(
            host="127.0.0.1",
            port=box.port,
            username=USER,
            password="wrong-password",
            sender="listener@example.com",
            recipients=["pr@example.com"],
            verify_tls=False,
        )
        with pytest.raises(NotifierAuthError) as refused:
            EmailNotifier(config).notify(incident_event())
        assert not box.delivered
    assert "wrong-password" not in str(refused.value) and "535" in str(refused.value)


def test_a_certificate_that_does_not_verify_is_refused(tmp_path: Path) -> None:
    with smtp_server(tls=self_signed(tmp_path)) as box:
        config = EmailNotifierConfig(
            host="127.0.0.1", port=box.port, sender="l@example.com", recipients=["a@example.com"]
        )
        with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
            EmailNotifier(config).notify(incident_event())
        assert not box.delivered


def test_render_is_self_contained(config_for: Callable[[str], Config]) -> None:
    app = digest_app(config_for, 25)
    try:
        mail = render(app.digests.build("leadership", DIGEST_NOW))
    finally:
        app.close()
    assert mail.subject == "舆情日报 2026-11-20"
    assert set(mail.images) == {"trend", "brands"}
    assert 'src="cid:trend"' in mail.html and 'src="cid:brands"' in mail.html
