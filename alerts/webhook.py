"""POSTs incident events and digests as JSON, signed with HMAC-SHA256.

The receiver checks ``X-Listener-Signature: sha256=<hex>`` over the raw body
with the shared secret, and ``X-Listener-Event`` says what the body is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from typing import Any, ClassVar, Literal

from pydantic import AnyHttpUrl, SecretStr

from alerts.base import Notifier, NotifierConfig, NotifierError
from listener.domain import Digest, IncidentEvent, SourceHealth


class WebhookNotifierConfig(NotifierConfig):
    type: Literal["webhook"] = "webhook"
    url: AnyHttpUrl
    secret: SecretStr | None = None
    timeout: float = 10.0


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookNotifier(Notifier):
    kind: ClassVar[str] = "webhook"

    def __init__(self, config: WebhookNotifierConfig) -> None:
        super().__init__(config.name)
        self.config = config

    def _post(self, event: str, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False, default=str).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Listener-Event": event}
        if self.config.secret is not None:
            headers["X-Listener-Signature"] = sign(self.config.secret.get_secret_value(), body)
        request = urllib.request.Request(
            str(self.config.url), data=body, headers=headers, method="POST"
        )
        host = self.config.url.host
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            exc.close()  # the error carries the open response
            raise NotifierError(f"webhook {self.name} ({host}): HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NotifierError(f"webhook {self.name} ({host}): {reason}") from None

    def notify(self, event: IncidentEvent) -> None:
        self._post("incident." + event.change, event.model_dump(mode="json"))

    def send_digest(self, digest: Digest) -> None:
        self._post("digest", digest.model_dump(mode="json"))

    def notify_source(self, health: SourceHealth) -> None:
        event = "source.recovered" if health.healthy else "source.unhealthy"
        self._post(event, health.model_dump(mode="json"))
