"""Decide which brands a post is about: aliases and keywords, minus exclusions.

Matching is on the folded text (NFKC + casefold), so width and case never
matter. A match that lies inside an exclusion term does not count (brand 小米
excludes 小米粥). Latin terms must stand alone: ``mi`` does not match inside
``xiaomi`` or ``mine``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from listener.domain import CrawlBrand
from spiders.text import fold


@dataclass(frozen=True)
class BrandMatch:
    brand: str
    terms: tuple[str, ...]


def _pattern(term: str) -> re.Pattern[str]:
    body = re.escape(term)
    if re.match(r"[a-z0-9]", term):
        body = r"(?<![a-z0-9])" + body
    if re.search(r"[a-z0-9]$", term):
        body += r"(?![a-z0-9])"
    return re.compile(body)


@dataclass(frozen=True)
class _Rule:
    brand: str
    terms: tuple[tuple[str, re.Pattern[str]], ...]
    excludes: tuple[re.Pattern[str], ...]


class BrandMatcher:
    def __init__(self, brands: Sequence[CrawlBrand]) -> None:
        self._rules = []
        for brand in brands:
            terms = dict.fromkeys(fold(t) for t in (brand.name, *brand.aliases, *brand.keywords))
            self._rules.append(
                _Rule(
                    brand=brand.name,
                    terms=tuple((t, _pattern(t)) for t in terms if t),
                    excludes=tuple(_pattern(fold(e)) for e in brand.exclude if e),
                )
            )

    def match(self, text: str) -> list[BrandMatch]:
        folded = fold(text)
        found = []
        for rule in self._rules:
            blocked = [m.span() for ex in rule.excludes for m in ex.finditer(folded)]
            hits = tuple(
                term
                for term, pattern in rule.terms
                if any(
                    not any(s <= m.start() and m.end() <= e for s, e in blocked)
                    for m in pattern.finditer(folded)
                )
            )
            if hits:
                found.append(BrandMatch(rule.brand, hits))
        return found
