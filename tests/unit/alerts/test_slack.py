"""The Slack notifier against a local server that answers like Slack's Web API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from alerts.base import Delivery, NotifierAuthError, NotifierRejected, RetryAfter
from alerts.slack import SlackNotifier, SlackNotifierConfig
from listener.demo.slack_server import GOOD_TOKEN, SlackServer, slack_server
from listener.domain import IncidentAction, IncidentStatus, Pulse
from tests.factories import T0, incident, incident_event


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with slack_server() as server:
        yield server


def bot(server: SlackServer, token: str = GOOD_TOKEN, **fields: Any) -> SlackNotifier:
    return SlackNotifier(
        SlackNotifierConfig.model_validate(
            {
                "token": token,
                "app_token": "xapp-test",
                "channel": "#pr-alerts",
                "base_url": server.api,
                **fields,
            }
        )
    )


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def top_level(server: SlackServer) -> list[dict[str, Any]]:
    return [c.args for c in server.of("chat.postMessage") if "thread_ts" not in c.args]


def test_first_announcement_is_block_kit_with_posts_buttons_and_chart(slack: SlackServer) -> None:
    notifier = bot(slack)
    event = incident_event(incident=incident(severity="P1"))
    notifier.notify(event, Delivery(channel="#pr-alerts", mention="S0ONCALL1"))

    (post,) = slack.of("chat.postMessage")
    args = post.args
    assert post.headers["Authorization"] == f"Bearer {GOOD_TOKEN}"
    assert args["channel"] == "#pr-alerts"
    assert args["text"].startswith("[P1] 小米: 负面提及 15 分钟内 47 条")  # notification line
    blocks = args["blocks"]
    assert blocks[0]["type"] == "header" and "P1 · 小米 · 进行中" in blocks[0]["text"]["text"]
    assert blocks[1]["text"]["text"].startswith("<!subteam^S0ONCALL1> *负面提及 15 分钟内 47 条")
    fields = [f["text"] for b in blocks if b["type"] == "section" for f in b.get("fields", [])]
    assert fields == ["*负面激增*\n0.74", "*提及量激增*\n0.30"]  # the crisis-score breakdown
    posts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b][1:]
    assert len(posts) == 3
    assert "*用户p0* · 微博 · 粉丝 230.0万" in posts[0] and "转 1200" in posts[0]
    assert "<https://m.weibo.cn/status/p0?luicode=10000011|查看原帖>" in posts[0]
    assert "SECRET" not in texts(blocks)  # tokens in a post's URL never reach Slack
    assert "…" in posts[0] and len(posts[0]) < 400  # an excerpt, not the whole post
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    assert [e["action_id"] for e in actions["elements"]] == [
        "listener.acknowledge",
        "listener.resolve",
        "listener.mute",
        "listener.kibana",
    ]
    assert {e.get("value") for e in actions["elements"][:3]} == {"inc0001"}
    assert actions["elements"][3]["url"].startswith("https://kibana.example.com/app/discover#/")

    # the chart of the last hours goes into the new message's thread
    (complete,) = slack.of("files.completeUploadExternal")
    assert complete.args["channel_id"] == "C0PRALERT"
    assert complete.args["thread_ts"] == "1763900000.000001"
    assert slack.uploads[0].startswith(b"\x89PNG") and len(slack.uploads[0]) > 5000


def test_later_changes_go_into_the_thread_and_edit_the_parent(slack: SlackServer) -> None:
    notifier = bot(slack)
    notifier.notify(incident_event())
    escalated = incident(
        severity="P1", status=IncidentStatus.ESCALATED, updated_at=T0 + timedelta(minutes=10)
    )
    notifier.notify(incident_event("escalated", incident=escalated), Delivery(mention="S0ONCALL1"))
    resolved = escalated.model_copy(
        update={
            "status": IncidentStatus.RESOLVED,
            "resolved_at": T0 + timedelta(hours=3),
            "updated_at": T0 + timedelta(hours=3),
        }
    )
    notifier.notify(incident_event("resolved", incident=resolved))

    assert len(top_level(slack)) == 1  # one message per incident
    replies = [c.args for c in slack.of("chat.postMessage") if "thread_ts" in c.args]
    assert [r["thread_ts"] for r in replies] == ["1763900000.000001"] * 2
    assert replies[0]["text"].startswith("<!subteam^S0ONCALL1> :arrow_double_up: 升级为 *P1*")
    assert replies[1]["text"].startswith(":white_check_mark: 已解决")
    updates = slack.of("chat.update")
    assert [u.args["ts"] for u in updates] == ["1763900000.000001"] * 2
    assert updates[0].args["channel"] == "C0PRALERT"
    assert "P1 · 小米 · 已升级" in updates[0].args["blocks"][0]["text"]["text"]
    final = updates[1].args["blocks"]
    assert "已解决" in final[0]["text"]["text"]
    assert not any(
        e.get("action_id", "").startswith("listener.a")
        for b in final
        if b["type"] == "actions"
        for e in b["elements"]
    )  # no buttons once resolved
    assert len(slack.uploads) == 2  # a chart for the announcement and for the escalation


def test_a_repeated_delivery_posts_nothing_twice(slack: SlackServer) -> None:
    """The outbox retries a message whose chart upload failed: the post is not repeated."""
    notifier = bot(slack)
    slack.fail_next("files.getUploadURLExternal", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as waited:
        notifier.notify(incident_event())
    assert waited.value.seconds == 7
    notifier.notify(incident_event())  # the retry
    assert len(slack.of("chat.postMessage")) == 1
    assert len(slack.of("chat.update")) == 1  # the retry refreshes the parent instead
    assert len(slack.uploads) == 1


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        ("invalid_auth", NotifierAuthError),
        ("token_revoked", NotifierAuthError),
        ("channel_not_found", NotifierRejected),
    ],
)
def test_slack_errors_tell_the_outbox_what_to_do(
    slack: SlackServer, error: str, raised: type[Exception]
) -> None:
    slack.fail_next("chat.postMessage", error=error)
    with pytest.raises(raised) as failure:
        bot(slack).notify(incident_event())
    assert error in str(failure.value) and GOOD_TOKEN not in str(failure.value)


def test_a_refused_token_is_an_auth_error(slack: SlackServer) -> None:
    with pytest.raises(NotifierAuthError, match=r"invalid_auth.*check it and restart"):
        bot(slack, token="xoxb-revoked").notify(incident_event())


def test_webhook_only_sends_the_same_content_without_buttons(slack: SlackServer) -> None:
    notifier = SlackNotifier(SlackNotifierConfig(webhook_url=slack.webhook))
    notifier.notify(incident_event())
    notifier.notify(incident_event("escalated", incident=incident(severity="P1")))
    first = slack.webhook_posts[0]
    assert "P2 · 小米" in first["blocks"][0]["text"]["text"]
    assert "用户p0" in texts(first["blocks"])
    elements = [e for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in elements] == ["listener.kibana"]  # a link, no buttons
    assert "P1" in slack.webhook_posts[1]["blocks"][0]["text"]["text"]
    assert not slack.calls  # no Web API without a token


def test_person_actions_are_told_in_the_thread(slack: SlackServer) -> None:
    notifier = bot(slack)
    notifier.notify(incident_event())
    at = T0 + timedelta(minutes=5)
    acked = incident(
        status=IncidentStatus.ACKNOWLEDGED,
        acknowledged_at=at,
        acknowledged_by="U0ALICE",
        updated_at=at,
    )
    action = IncidentAction(kind="acknowledged", by="U0ALICE", at=at)
    notifier.notify(incident_event("updated", incident=acked, action=action))
    reply = next(c.args for c in slack.of("chat.postMessage") if "thread_ts" in c.args)
    assert reply["text"] == ":eyes: <@U0ALICE> 已确认，正在处理"
    parent = texts(slack.of("chat.update")[0].args["blocks"])
    assert "<@U0ALICE> 确认于 11-20 16:05" in parent  # who and when, local time
    assert "listener.acknowledge" not in parent and "listener.resolve" in parent


def test_config_needs_a_way_in() -> None:
    with pytest.raises(ValidationError, match="set token"):
        SlackNotifierConfig()
    with pytest.raises(ValidationError, match="channel is required"):
        SlackNotifierConfig(token="xoxb-1")
    with pytest.raises(ValidationError, match="not a Slack bot token"):
        SlackNotifierConfig(token="xapp-confused", channel="#a")
    with pytest.raises(ValidationError, match="not a Slack app-level token"):
        SlackNotifierConfig(token="xoxb-1", app_token="xoxb-2", channel="#a")
    # ${SLACK_APP_TOKEN:-} with the variable unset: messages without buttons
    no_buttons = SlackNotifierConfig(token="xoxb-1", app_token="", channel="#a")
    assert no_buttons.app_token is None and not SlackNotifier(no_buttons).interactive


def test_a_growing_incident_is_edited_in_place_and_its_news_posted_in_the_thread(
    slack: SlackServer,
) -> None:
    notifier = bot(slack)
    notifier.notify(incident_event(pulse=Pulse(negative_last_hour=12, usual_per_hour=2.0)))
    grown = incident(updated_at=T0 + timedelta(minutes=6))
    bigger = Pulse(negative_last_hour=30, usual_per_hour=2.0, trend="accelerating")
    notifier.notify(incident_event("refreshed", incident=grown, pulse=bigger))

    assert len(top_level(slack)) == 1
    assert not [c for c in slack.of("chat.postMessage") if "thread_ts" in c.args]  # no reply
    [update] = slack.of("chat.update")
    assert "*负面提及是平时的 15 倍，并在加速*" in texts(update.args["blocks"])
    assert len(slack.uploads) == 1  # the chart of the announcement only

    doubled = incident(updated_at=T0 + timedelta(minutes=20), announced_negative=25)
    news = Pulse(negative_last_hour=60, usual_per_hour=2.0, negative=55, mentions=70)
    notifier.notify(incident_event("updated", incident=doubled, pulse=news, reason="doubled"))
    [reply] = [c.args for c in slack.of("chat.postMessage") if "thread_ts" in c.args]
    assert reply["text"] == (
        ":chart_with_upwards_trend: 负面提及翻倍：事件开始以来 55 条（上次通报时 25 条）。"
        "负面提及是平时的 30 倍，势头未减"
    )


def test_webhook_only_slack_does_not_post_refreshes(slack: SlackServer) -> None:
    notifier = SlackNotifier(SlackNotifierConfig(webhook_url=slack.webhook))
    assert not notifier.edits_in_place and bot(slack).edits_in_place
