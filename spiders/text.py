"""Text cleaning shared by every spider: HTML to text, invisible characters, whitespace.

The text is kept as its author wrote it (full-width punctuation, Traditional characters,
emoji codes); matching folds it with ``listener.textfold``.
"""

from __future__ import annotations

import re
import unicodedata

from w3lib.html import remove_tags, replace_entities

_BREAKS = re.compile(r"<\s*(br|/p|/div|/li)\s*/?\s*>", re.IGNORECASE)
_IMG_ALT = re.compile(r"<img[^>]*?\balt\s*=\s*[\"']([^\"']*)[\"'][^>]*>", re.IGNORECASE)
_SCRIPTS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
# zero-width characters (Weibo ends posts with U+200B) and private-use icon-font glyphs
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\ue000-\uf8ff]")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def html_to_text(html: str) -> str:
    """Strip tags but keep what a reader sees: line breaks, emoji codes in ``alt`` ([哈哈])."""
    text = _IMG_ALT.sub(lambda m: _alt(m.group(1)), _SCRIPTS.sub("", html))
    text = _BREAKS.sub("\n", text)
    return replace_entities(remove_tags(text))


def _alt(alt: str) -> str:
    """Emoji images carry their code (``[哈哈]``); photos carry ``图片``/empty: dropped."""
    return alt if alt.startswith("[") and alt.endswith("]") else ""


def normalise(text: str) -> str:
    """Canonical composition (NFC, which keeps width and punctuation), invisible characters
    removed, spaces collapsed, trimmed; keeps line breaks."""
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()
