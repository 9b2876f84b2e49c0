"""Kibana for analysts: the saved objects Listener ships, their import, and Discover
links pre-filtered to an incident.

``listener kibana setup`` imports ``listener/files/kibana/listener.ndjson`` (data views over
the mentions alias and the incidents index, saved searches, the overview dashboard)
through Kibana's saved-objects API with ``overwrite=true``, so running it again
updates rather than duplicates.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from importlib.resources.abc import Traversable
from pathlib import Path
from urllib.parse import quote

from pydantic import SecretStr

from listener.config.types import Section
from listener.domain import Incident
from listener.packaged import PackagedFileMissing, packaged

SAVED_OBJECTS = "kibana/listener.ndjson"
"""The saved objects, in ``listener/files/``."""
MENTIONS_VIEW = "listener-mentions"


class KibanaConfig(Section):
    url: str
    """Where the daemon reaches Kibana (``http://kibana:5601``)."""
    public_url: str | None = None
    """Where people reach it, for links in alerts; default ``url``."""
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    space: str | None = None
    """A Kibana space id; default the default space."""

    def base(self, public: bool = False) -> str:
        root = (self.public_url if public and self.public_url else self.url).rstrip("/")
        return f"{root}/s/{self.space}" if self.space else root


class KibanaError(Exception):
    """Kibana refused or could not be reached; the message says which and why."""


def _rison(value: str) -> str:
    """A string in Kibana's rison URL state: quoted, with ' and ! escaped by !."""
    return "'" + value.replace("!", "!!").replace("'", "!'") + "'"


def discover_url(config: KibanaConfig, incident: Incident, margin: timedelta) -> str:
    """Discover, on the mentions data view, filtered to the incident's brand and its
    negative mentions, over the incident's time range (with ``margin`` before)."""
    start = (incident.opened_at - margin).isoformat()
    end = (incident.updated_at + margin).isoformat()
    brand = incident.brand.replace('"', '\\"')
    query = f'brands : "{brand}" and sentiment_label : "negative"'
    state_g = f"(time:(from:{_rison(start)},to:{_rison(end)}))"
    state_a = (
        f"(dataSource:(dataViewId:{_rison(MENTIONS_VIEW)},type:dataView),"
        f"query:(language:kuery,query:{_rison(query)}),sort:!(!(published_at,desc)))"
    )
    return (
        f"{config.base(public=True)}/app/discover#/?_g={quote(state_g, safe='(),:!')}"
        f"&_a={quote(state_a, safe='(),:!')}"
    )


def import_saved_objects(
    config: KibanaConfig, path: Path | Traversable | None = None
) -> dict[str, object]:
    """POST the NDJSON (default: the shipped objects) to
    ``/api/saved_objects/_import?overwrite=true``; the parsed answer."""
    if path is None:
        try:
            path = packaged(SAVED_OBJECTS)
        except PackagedFileMissing as exc:
            raise KibanaError(str(exc)) from None
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: application/ndjson\r\n\r\n'
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {
        "kbn-xsrf": "listener",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    if config.api_key is not None:
        headers["Authorization"] = f"ApiKey {config.api_key.get_secret_value()}"
    elif config.username and config.password is not None:
        pair = f"{config.username}:{config.password.get_secret_value()}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    request = urllib.request.Request(
        f"{config.base()}/api/saved_objects/_import?overwrite=true",
        data=body,
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer: dict[str, object] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300]
        message = f"Kibana at {config.url} refused the import: HTTP {exc.code} {detail}"
        raise KibanaError(message) from None
    except (urllib.error.URLError, OSError) as exc:
        raise KibanaError(f"Kibana at {config.url} unreachable: {exc}") from None
    if not answer.get("success"):
        errors = answer.get("errors") or []
        raise KibanaError(f"Kibana imported with errors: {json.dumps(errors)[:500]}")
    return answer
