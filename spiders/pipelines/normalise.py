"""Normalise a mention's text (see ``spiders.normalise``); keep the original."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from listener.domain import Mention
from spiders.normalise import normalise_mention


class NormalisePipeline:
    def process_item(self, item: Any) -> Mention:
        if not isinstance(item, Mention):
            raise DropItem(f"not a Mention: {type(item).__name__}")
        return normalise_mention(item)
