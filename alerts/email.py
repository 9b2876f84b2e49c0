"""E-mail over SMTP: the daily digest (HTML + text, charts inline) and plain alerts.

STARTTLS (port 587, default), implicit TLS (``ssl``, port 465) or none (a relay on
localhost). Credentials come from the config, i.e. from ``${SMTP_USER}`` /
``${SMTP_PASSWORD}``; they are never part of an error message.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from alerts.base import (
    AS_CONFIGURED,
    Delivery,
    Notifier,
    NotifierAuthError,
    NotifierConfig,
    NotifierError,
    NotifierRejected,
)
from alerts.digest_mail import build_message, render
from alerts.text import fallback_text, render_event, render_source_health
from listener.domain import Digest, IncidentEvent, SourceHealth

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class EmailNotifierConfig(NotifierConfig):
    type: Literal["email"] = "email"
    name: str = "email"
    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    """Default by ``security``: 587 (starttls), 465 (ssl), 25 (none)."""
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field(min_length=3, pattern=r"@")
    """The From address, e.g. ``Listener <listener@example.com>``."""
    recipients: list[str] = []
    """Used for alerts, and for digests of groups that list no recipients."""
    timeout: float = 30.0
    verify_tls: bool = True
    """Check the server's certificate (turn off only for a relay with a self-signed one)."""

    allow_plaintext_login: bool = False
    """Log in over an unencrypted connection (``security: none``): the password then
    crosses the network in clear. Only for a relay on the same host or a trusted LAN."""

    @model_validator(mode="after")
    def _credentials_together(self) -> EmailNotifierConfig:
        if (self.username is None) != (self.password is None):
            raise ValueError("set both username and password, or neither")
        if self.security == "none" and self.password is not None and not self.allow_plaintext_login:
            raise ValueError(
                "security: none would send the SMTP password in clear: use starttls or "
                "ssl, or set allow_plaintext_login: true for a local relay"
            )
        return self


class EmailNotifier(Notifier):
    Config = EmailNotifierConfig

    def __init__(self, config: EmailNotifierConfig) -> None:
        super().__init__(config.name, config.language)
        self.config = config

    @property
    def port(self) -> int:
        return self.config.port or DEFAULT_PORTS[self.config.security]

    def _tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.config.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def send(self, message: EmailMessage, recipients: tuple[str, ...]) -> None:
        cfg = self.config
        who = f"email {self.name} ({cfg.host}:{self.port})"
        if not recipients:
            raise NotifierRejected(
                f"{who}: no recipients (set recipients on the group or notifier)"
            )
        try:
            smtp: smtplib.SMTP
            if cfg.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    cfg.host, self.port, timeout=cfg.timeout, context=self._tls()
                )
            else:
                smtp = smtplib.SMTP(cfg.host, self.port, timeout=cfg.timeout)
            with smtp:
                if cfg.security == "starttls":
                    smtp.starttls(context=self._tls())
                if cfg.username is not None and cfg.password is not None:
                    smtp.login(cfg.username, cfg.password.get_secret_value())
                smtp.send_message(message, to_addrs=list(recipients))
        except smtplib.SMTPAuthenticationError as exc:
            raise NotifierAuthError(f"{who}: login refused ({exc.smtp_code})") from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise NotifierRejected(
                f"{who}: recipients refused: {', '.join(exc.recipients)}"
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise NotifierRejected(f"{who}: {exc} (check security: starttls/ssl/none)") from None
        except smtplib.SMTPResponseException as exc:
            error = NotifierRejected if 500 <= exc.smtp_code < 600 else NotifierError
            raise error(f"{who}: {exc.smtp_code} {exc.smtp_error!r}") from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise NotifierError(f"{who}: {exc}") from None

    def _recipients(self, to: Delivery) -> tuple[str, ...]:
        return to.recipients or tuple(self.config.recipients)

    def _plain(self, subject: str, text: str, to: Delivery) -> None:
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self.config.sender
        recipients = self._recipients(to)
        message["To"] = ", ".join(recipients)
        message.set_content(text)
        self.send(message, recipients)

    def notify(self, event: IncidentEvent, to: Delivery = AS_CONFIGURED) -> None:
        self._plain(fallback_text(event, self.words), render_event(event, self.words), to)

    def send_digest(self, digest: Digest, to: Delivery = AS_CONFIGURED) -> None:
        recipients = self._recipients(to)
        self.send(build_message(render(digest), self.config.sender, recipients), recipients)

    def notify_source(self, health: SourceHealth, to: Delivery = AS_CONFIGURED) -> None:
        text = render_source_health(health, self.words)
        self._plain(text.splitlines()[0], text, to)
