"""What a poster writes stays inert in every output (issue 18, item 1): a post whose
link tries to close Slack's link syntax and ping the channel, or to pass for an
official link, whose text carries a terminal escape and a NUL, whose author name
reverses itself with U+202E — through each notifier's real rendering path: the Slack
payload as the local Slack server received it, the e-mail as the local SMTP server
received it, the console file, the webhook body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from alerts.base import Delivery
from alerts.console import ConsoleNotifier, ConsoleNotifierConfig
from alerts.email import EmailNotifier, EmailNotifierConfig
from alerts.slack import SlackNotifier, SlackNotifierConfig
from alerts.text import safe_url
from alerts.webhook import WebhookNotifier, WebhookNotifierConfig
from listener.demo.http_recorder import http_recorder
from listener.demo.slack_server import GOOD_TOKEN, slack_server
from listener.domain import Author, IncidentEvent, Mention, inert
from tests.factories import incident_event, mention
from tests.smtp_server import smtp_server

CLOSES_THE_LINK = "https://evil.example/x><!channel>"
DISGUISED = "https://evil.example/a|https://weibo.com/xiaomi 官方声明"
TEXT = "小米 刹车失灵 \x1b]0;pwned\x07 <!everyone> @all 维权\x00 后面的字"
NAME = "官方\u202e客服\u202c"
FORBIDDEN = ("\x1b", "\x07", "\x00", "\u202e", "\u202c")


def hostile() -> IncidentEvent:
    posts = tuple(
        mention(f"h{i}", TEXT, sentiment="negative", url=url).model_copy(
            update={"author": Author(id="a", name=NAME)}
        )
        for i, url in enumerate((CLOSES_THE_LINK, DISGUISED))
    )
    return incident_event(top_mentions=posts)


def test_the_domain_makes_poster_fields_inert_on_the_way_in() -> None:
    post = Mention.model_validate(
        mention("h", TEXT).model_dump() | {"author": {"id": "a", "name": NAME}}
    )
    assert post.text == "小米 刹车失灵 ]0;pwned <!everyone> @all 维权 后面的字"
    assert post.author.name == "官方客服"
    assert inert("line one\nline two\ttab") == "line one\nline two\ttab"


def test_links_cannot_close_relabel_or_mention() -> None:
    assert safe_url(CLOSES_THE_LINK) == "https://evil.example/x%3E%3C!channel%3E"
    assert safe_url(DISGUISED).startswith("https://evil.example/a%7Chttps://weibo.com/xiaomi%20")
    for url in ("javascript:alert(1)", "https://evil<x>.example/", "data:text/html,x"):
        assert safe_url(url) == ""


def _assert_inert(output: str) -> None:
    """No control or bidi character, and neither link survives raw (plain-text outputs
    show ``<!everyone>`` as the poster typed it: it means nothing there)."""
    assert not any(c in output for c in FORBIDDEN), [c for c in FORBIDDEN if c in output]
    assert "x><!channel>" not in output and "a|https://weibo.com" not in output


def test_slack_as_the_server_received_it() -> None:
    with slack_server() as server:
        notifier = SlackNotifier(
            SlackNotifierConfig(token=GOOD_TOKEN, channel="#pr", base_url=server.api)
        )
        notifier.notify(hostile(), Delivery(channel="#pr"))
        (post,) = server.of("chat.postMessage")
    payload = json.dumps(post.args, ensure_ascii=False)
    _assert_inert(payload)
    assert "<!channel>" not in payload and "<!everyone>" not in payload  # no mention at all
    links = [b["text"]["text"] for b in post.args["blocks"] if "evil.example" in json.dumps(b)]
    assert "<https://evil.example/x%3E%3C!channel%3E|查看原帖>" in links[0]
    assert "&lt;!everyone&gt;" in payload  # shown as typed, not as a mention


@pytest.fixture
def inbox() -> Iterator[object]:
    with smtp_server() as box:
        yield box


def test_email_as_the_server_received_it(inbox: object) -> None:
    config = EmailNotifierConfig(
        host="127.0.0.1",
        port=inbox.port,  # type: ignore[attr-defined]
        security="none",
        sender="listener@example.com",
        recipients=["pr@example.com"],
    )
    EmailNotifier(config).notify(hostile())
    (mail,) = inbox.delivered  # type: ignore[attr-defined]
    raw = mail.message.as_string()
    _assert_inert(raw)
    _assert_inert(mail.message.get_body(("plain",)).get_content())


def test_console_and_webhook(tmp_path: Path) -> None:
    out = tmp_path / "alerts.log"
    ConsoleNotifier(ConsoleNotifierConfig(path=out)).notify(hostile())
    _assert_inert(out.read_text(encoding="utf-8"))
    with http_recorder() as hook:
        WebhookNotifier(WebhookNotifierConfig(name="hook", url=hook.url)).notify(hostile())
        (request,) = hook.requests
    body = request.body.decode("utf-8")
    _assert_inert(json.loads(body) and body)
