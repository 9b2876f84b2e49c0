"""A real local SMTP server (aiosmtpd) that keeps every delivered message.

Plain, STARTTLS (a self-signed certificate made with ``openssl`` for the test)
or with a login that only ``USER``/``PASSWORD`` pass.
"""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.ports import free_port

USER, PASSWORD = "listener", "s3cret-pass"


@dataclass
class Delivered:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Mailbox:
    port: int
    delivered: list[Delivered] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 (aiosmtpd calls it by this name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.delivered.append(Delivered(str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return "250 OK"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def self_signed(directory: Path) -> ssl.SSLContext:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@contextmanager
def smtp_server(
    tls: ssl.SSLContext | None = None, login: bool = False, implicit_tls: bool = False
) -> Iterator[Mailbox]:
    """``tls``: STARTTLS required (or, with ``implicit_tls``, TLS from the first byte)."""
    mailbox = Mailbox(port=free_port())
    kwargs: dict[str, Any] = {"enable_SMTPUTF8": True}
    session: dict[str, Any] = {}
    if tls is not None and implicit_tls:
        session["ssl_context"] = tls
    elif tls is not None:
        kwargs |= {"tls_context": tls, "require_starttls": True}
    if login:
        # over implicit TLS the whole session is encrypted: AUTH may be offered at once
        kwargs |= {
            "authenticator": _authenticate,
            "auth_require_tls": tls is not None and not implicit_tls,
        }
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port, **session, **kwargs)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
