"""POSTs incident events and digests as JSON, signed with HMAC-SHA256.

The receiver checks ``X-Listener-Signature: sha256=<hex>`` over the raw body
with the shared secret, and ``X-Listener-Event`` says what the body is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import AnyHttpUrl, SecretStr

from alerts.base import (
    AS_CONFIGURED,
    Delivery,
    Notifier,
    NotifierAuthError,
    NotifierConfig,
    NotifierError,
    NotifierRejected,
    RetryAfter,
)
from alerts.text import scrubbed_digest, scrubbed_event
from listener.domain import Digest, IncidentEvent, SourceHealth
from listener.logs import get_logger

log = get_logger(__name__)


class WebhookNotifierConfig(NotifierConfig):
    type: Literal["webhook"] = "webhook"
    url: AnyHttpUrl
    secret: SecretStr | None = None
    timeout: float = 10.0


def http_error(who: str, status: int, headers: Mapping[str, str] | None) -> NotifierError:
    """The outbox's verdict on an HTTP failure: wait, stop the notifier, drop, or retry."""
    message = f"{who}: HTTP {status}"
    if status == 429:
        return RetryAfter.from_header(message, (headers or {}).get("Retry-After"))
    if status in (401, 403):
        return NotifierAuthError(message + " (credentials refused: check the token or secret)")
    if 400 <= status < 500 and status not in (408, 409, 425):
        return NotifierRejected(message)
    return NotifierError(message)


def sign(secret: str, body: bytes, timestamp: str) -> str:
    """``X-Listener-Signature``: HMAC-SHA256 over ``<timestamp>.<body>`` with the shared
    secret, so a captured request cannot be replayed later (the receiver checks the
    signature and that ``X-Listener-Timestamp`` is recent; see README)."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


class WebhookNotifier(Notifier):
    Config = WebhookNotifierConfig

    def __init__(self, config: WebhookNotifierConfig) -> None:
        super().__init__(config.name, config.language)
        self.config = config
        if config.secret is None:
            log.warning(
                "webhook without a secret: receivers cannot tell Listener's requests from anyone's",
                notifier=config.name,
                action="set secret and verify X-Listener-Signature (README, Webhook)",
            )

    def _post(self, event: str, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False, default=str).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Listener-Event": event,
            "X-Listener-Timestamp": stamp,
        }
        if self.config.secret is not None:
            secret = self.config.secret.get_secret_value()
            headers["X-Listener-Signature"] = sign(secret, body, stamp)
        request = urllib.request.Request(
            str(self.config.url), data=body, headers=headers, method="POST"
        )
        host = self.config.url.host
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            exc.close()  # the error carries the open response
            raise http_error(f"webhook {self.name} ({host})", exc.code, dict(exc.headers)) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NotifierError(f"webhook {self.name} ({host}): {reason}") from None

    @property
    def edits_in_place(self) -> bool:
        """Receivers get ``incident.refreshed`` and update their view by incident id."""
        return True

    def notify(self, event: IncidentEvent, to: Delivery = AS_CONFIGURED) -> None:
        self._post("incident." + event.change, scrubbed_event(event).model_dump(mode="json"))

    def send_digest(self, digest: Digest, to: Delivery = AS_CONFIGURED) -> None:
        self._post("digest", scrubbed_digest(digest).model_dump(mode="json"))

    def notify_source(self, health: SourceHealth, to: Delivery = AS_CONFIGURED) -> None:
        event = "source.recovered" if health.healthy else "source.unhealthy"
        self._post(event, health.model_dump(mode="json"))
