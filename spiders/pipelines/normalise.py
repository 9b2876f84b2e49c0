"""Normalise a mention's text; keep the original when normalisation changed it."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from listener.domain import Mention
from spiders.text import html_to_text, normalise


class NormalisePipeline:
    def process_item(self, item: Any) -> Mention:
        if not isinstance(item, Mention):
            raise DropItem(f"not a Mention: {type(item).__name__}")
        original = item.text_original or item.text
        text = normalise(html_to_text(original)) if "<" in original else normalise(original)
        title = normalise(html_to_text(item.title)) if item.title else ""
        return item.model_copy(
            update={
                "text": text,
                "title": title,
                "text_original": original if original != text else "",
            }
        )
