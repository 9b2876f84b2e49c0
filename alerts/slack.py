"""Slack: one message per incident, its thread for what happens next.

With a bot token (``chat:write``, ``files:write``) the first announcement is a
Block Kit message with buttons; later changes are replies in its thread, and the
parent message is edited to show the current severity and state; the chart of
the last hours is uploaded into the thread with ``files_upload_v2``. With only an
incoming webhook the same content goes out without buttons, charts or threads.

Every step is safe to repeat: which message is an incident's thread, and which
replies and charts were already posted, is kept in the notifier's durable state,
so a retry after a failure (or a crash) never posts the same thing twice.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Self

from pydantic import AnyHttpUrl, SecretStr, field_validator, model_validator
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from alerts.base import (
    AS_CONFIGURED,
    ActionListener,
    Delivery,
    MemoryState,
    Notifier,
    NotifierAuthError,
    NotifierConfig,
    NotifierError,
    NotifierRejected,
    OnAction,
    RetryAfter,
    State,
)
from alerts.charts import volume_chart
from alerts.digest_mail import render_text
from alerts.slack_blocks import (
    incident_blocks,
    mention_tag,
    source_blocks,
    thread_text,
)
from alerts.slack_socket import SlackActions
from alerts.text import fallback_text, render_source_health
from alerts.webhook import http_error
from listener.domain import Digest, IncidentEvent, SourceHealth
from listener.plugin import PluginContext

AUTH_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
        "no_permission",
        "not_allowed_token_type",
    }
)
REJECTED = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "message_not_found",
        "cant_update_message",
        "invalid_arguments",
    }
)
MAX_STEPS = 40


class SlackNotifierConfig(NotifierConfig):
    type: Literal["slack"] = "slack"
    name: str = "slack"
    token: SecretStr | None = None
    """Bot token (``xoxb-…``), e.g. ``${SLACK_BOT_TOKEN}``: messages, threads, charts."""
    app_token: SecretStr | None = None
    """App-level token (``xapp-…``, ``connections:write``), e.g. ``${SLACK_APP_TOKEN}``:
    receives button clicks over Socket Mode; without it messages carry no buttons."""
    channel: str | None = None
    """Default channel (name or id) when the route names none; needed with a token."""
    webhook_url: SecretStr | None = None
    """Incoming webhook instead of a token: same content, no buttons, charts or threads."""
    base_url: AnyHttpUrl = AnyHttpUrl("https://slack.com/api/")
    """The Web API's address (tests point it at a local server)."""
    timeout: float = 15.0
    charts: bool = True
    """Upload a chart of the last hours into the incident's thread."""

    @field_validator("token", "app_token", "webhook_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``${SLACK_APP_TOKEN:-}`` with the variable unset means: no app token."""
        return None if value == "" else value

    @field_validator("token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("xoxb-", "xoxp-")):
            raise ValueError("not a Slack bot token (they start with xoxb-)")
        return value

    @field_validator("app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("not a Slack app-level token (they start with xapp-)")
        return value

    @model_validator(mode="after")
    def _one_way_in(self) -> SlackNotifierConfig:
        if self.token is None and self.webhook_url is None:
            raise ValueError("set token (bot token, xoxb-…) or webhook_url")
        if self.token is not None and self.channel is None:
            raise ValueError("channel is required with a bot token (default channel)")
        return self


def slack_failure(who: str, exc: SlackApiError) -> NotifierError:
    """Map a Web API error to what the outbox does next."""
    response = exc.response
    error = str(response.get("error", "")) if response.data else ""
    message = f"{who}: {error or f'HTTP {response.status_code}'}"
    if response.status_code == 429 or error == "ratelimited":
        return RetryAfter.from_header(message, response.headers.get("Retry-After"))
    if error in AUTH_ERRORS:
        return NotifierAuthError(message + " (the Slack token was refused: check it and restart)")
    if error in REJECTED:
        return NotifierRejected(message)
    return NotifierError(message)


class SlackNotifier(Notifier):
    Config = SlackNotifierConfig

    def __init__(self, config: SlackNotifierConfig, state: State | None = None) -> None:
        super().__init__(config.name, config.language)
        self.config = config
        self.state: State = state if state is not None else MemoryState()
        self.client = (
            WebClient(
                token=config.token.get_secret_value(),
                base_url=str(config.base_url),
                timeout=int(config.timeout),
            )
            if config.token is not None
            else None
        )
        self.webhook = (
            WebhookClient(config.webhook_url.get_secret_value(), timeout=int(config.timeout))
            if config.webhook_url is not None and self.client is None
            else None
        )

    @classmethod
    def from_config(cls, config: NotifierConfig, ctx: PluginContext) -> Self:
        assert isinstance(config, SlackNotifierConfig)
        return cls(config, ctx.state(config.name)).speaking(config.language or ctx.language)

    @property
    def edits_in_place(self) -> bool:
        """With a bot token (``chat.update``); an incoming webhook cannot edit."""
        return self.client is not None

    @property
    def interactive(self) -> bool:
        return self.client is not None and self.config.app_token is not None

    def listener(self, on_action: OnAction) -> ActionListener | None:
        """Button clicks over Socket Mode, with the app-level token (else none)."""
        if not self.interactive:
            return None
        assert self.client is not None and self.config.app_token is not None
        return SlackActions(self.config.app_token.get_secret_value(), self.client, on_action)

    # -- transport -----------------------------------------------------------------------

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        assert self.client is not None
        try:
            response = getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            raise slack_failure(f"slack {self.name} {method}", exc) from None
        except (SlackClientError, OSError, TimeoutError) as exc:
            raise NotifierError(f"slack {self.name} {method}: {exc}") from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    def _edit(self, thread: dict[str, Any], text: str, blocks: list[dict[str, Any]]) -> None:
        """Update the incident's message in place."""
        self._call(
            "chat_update", channel=thread["channel"], ts=thread["ts"], text=text, blocks=blocks
        )

    def _hook(self, text: str, blocks: list[dict[str, Any]]) -> None:
        assert self.webhook is not None
        try:
            response = self.webhook.send(text=text, blocks=blocks, unfurl_links=False)
        except (SlackClientError, OSError, TimeoutError) as exc:
            raise NotifierError(f"slack webhook {self.name}: {exc}") from None
        if response.status_code != 200:
            raise http_error(f"slack webhook {self.name}", response.status_code, response.headers)

    def _post(self, channel: str | None, text: str, blocks: list[dict[str, Any]]) -> None:
        if self.client is None:
            self._hook(text, blocks)
            return
        self._call(
            "chat_postMessage",
            channel=channel or self.config.channel,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
        )

    # -- incidents -----------------------------------------------------------------------

    def notify(self, event: IncidentEvent, to: Delivery = AS_CONFIGURED) -> None:
        mention = to.mention if event.incident.severity == "P1" else None
        blocks = incident_blocks(
            event, interactive=self.interactive, mention=mention, words=self.words
        )
        text = fallback_text(event, self.words)
        if self.client is None:
            self._hook(text, blocks)
            return
        channel = to.channel or self.config.channel
        key = f"thread:{event.incident.id}:{channel}"
        thread = self._thread(key)
        step = f"{event.change}:{event.incident.updated_at.isoformat()}"
        if event.action is not None:
            step += f":{event.action.kind}:{event.action.by}"
        if event.change == "refreshed":
            if thread is not None:  # the message shows the incident as it is now
                self._edit(thread, text, blocks)
            return  # nothing to refresh yet: the first message is still on its way
        if thread is None:
            posted = self._call(
                "chat_postMessage",
                channel=channel,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
            thread = {"channel": posted["channel"], "ts": posted["ts"], "done": [step + ":post"]}
            self.state.put(key, json.dumps(thread))
        else:
            self._edit(thread, text, blocks)
            if step + ":post" not in thread["done"] and step + ":reply" not in thread["done"]:
                reply = thread_text(event, self.words)
                if mention and event.change == "escalated":
                    reply = f"{mention_tag(mention)} {reply}"
                self._call(
                    "chat_postMessage",
                    channel=thread["channel"],
                    thread_ts=thread["ts"],
                    text=reply,
                    unfurl_links=False,
                )
                self._done(key, thread, step + ":reply")
        wants_chart = event.change in ("opened", "escalated") and event.action is None
        if (
            self.config.charts
            and wants_chart
            and event.volume
            and step + ":chart" not in thread["done"]
        ):
            png = volume_chart(event.volume, event.timezone, self.words)
            self._call(
                "files_upload_v2",
                channel=thread["channel"],
                thread_ts=thread["ts"],
                file=png,
                filename=f"incident-{event.incident.id}.png",
                title=self.words("slack.chart_title", brand=event.incident.brand),
            )
            self._done(key, thread, step + ":chart")

    def _thread(self, key: str) -> dict[str, Any] | None:
        raw = self.state.get(key)
        return json.loads(raw) if raw else None

    def _done(self, key: str, thread: dict[str, Any], step: str) -> None:
        thread["done"] = [*thread["done"], step][-MAX_STEPS:]
        self.state.put(key, json.dumps(thread))

    # -- digests and operational alerts --------------------------------------------------

    def send_digest(self, digest: Digest, to: Delivery = AS_CONFIGURED) -> None:
        text = render_text(digest)
        block = {"type": "section", "text": {"type": "mrkdwn", "text": f"```{text[:2900]}```"}}
        self._post(to.channel, text.splitlines()[0], [block])

    def notify_source(self, health: SourceHealth, to: Delivery = AS_CONFIGURED) -> None:
        text = render_source_health(health, self.words)
        self._post(to.channel, text.splitlines()[0], source_blocks(health, text))
