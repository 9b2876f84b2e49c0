"""Clean a parsed mention: HTML to text, invisible characters and spaces; nothing else.

The text stays as its author wrote it (full-width punctuation, Traditional characters);
matching, search and the sentiment model fold it themselves (``listener.textfold``).
The body as published is kept in ``text_original`` whenever cleaning changed it (HTML).
"""

from __future__ import annotations

from listener.domain import Mention
from spiders.text import html_to_text, normalise


def clean(text: str) -> str:
    """HTML (or plain text) as a reader sees it."""
    return normalise(html_to_text(text) if "<" in text or "&" in text else text)


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
