"""Text as people wrote it, and the forms it is compared in.

A mention's ``text`` is kept as published (full-width punctuation, Traditional
characters, emoji codes such as ``[doge]``): that is what a PR lead reads and quotes.
Whatever compares text folds both sides first, with these functions and nowhere else:

- ``fold``: the matching form (NFKC, casefolded, Traditional → Simplified) used by brand
  matching, search, crisis terms, near-duplicates and emerging terms, so width, case and
  script never decide whether two texts say the same thing;
- ``model_form``: what the sentiment models read (NFKC, Simplified; the tokenizer
  lowercases itself), the form they were trained and measured on.

Stores keep a folded copy for search (SQLite's search column, Elasticsearch's
``search_text`` field), so Kibana's free-text search finds 刹车 in a post that says 剎車.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters to Simplified (OpenCC ``t2s``); Simplified text is unchanged."""
    return _t2s().convert(text) if text else text


def fold(text: str) -> str:
    """The matching form: NFKC (full-width → half-width), casefolded, Simplified."""
    return simplified(unicodedata.normalize("NFKC", text).casefold())


def model_form(text: str) -> str:
    """What a sentiment model reads: NFKC and Simplified, otherwise as written."""
    return simplified(unicodedata.normalize("NFKC", text))
