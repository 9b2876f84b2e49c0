"""The notifiers shipped with Listener: the only list of them (``type:`` in the config)."""

from __future__ import annotations

from alerts.base import Notifier
from alerts.console import ConsoleNotifier
from alerts.email import EmailNotifier
from alerts.slack import SlackNotifier
from alerts.webhook import WebhookNotifier
from listener.plugin import Registry

NOTIFIERS: Registry[Notifier] = Registry(
    "notifier", Notifier, "type", [ConsoleNotifier, WebhookNotifier, SlackNotifier, EmailNotifier]
)
