"""Normalise a parsed mention: HTML to text, NFKC, whitespace, Traditional → Simplified.

The normalised text is what is matched, scored and shown; the text as published is
kept in ``text_original`` whenever normalisation changed it.
"""

from __future__ import annotations

from functools import lru_cache

import opencc

from listener.domain import Mention
from spiders.text import html_to_text, normalise


@lru_cache(maxsize=1)
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters to Simplified (OpenCC ``t2s``); Simplified text is unchanged."""
    return _to_simplified().convert(text) if text else text


def clean(text: str) -> str:
    """HTML (or plain text) as a reader sees it, NFKC, Simplified."""
    return simplified(normalise(html_to_text(text) if "<" in text or "&" in text else text))


def normalise_mention(mention: Mention) -> Mention:
    original = mention.text_original or mention.text
    text = clean(original)
    return mention.model_copy(
        update={
            "text": text,
            "title": clean(mention.title) if mention.title else "",
            "text_original": original if original != text else "",
        }
    )
