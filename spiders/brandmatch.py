"""Decide which brands a post is about: aliases, keywords and boolean queries, minus
exclusions.

Text and terms are folded the same way (``listener.textfold.fold``: NFKC, casefold,
Traditional → Simplified), so width, case and script never matter. One Aho–Corasick
automaton holds every term of every brand, so a post is scanned once however many
brands and aliases there are.
A hit inside an exclusion does not count (小米 in 小米粥). Latin terms must stand
alone: ``mi`` does not match inside ``xiaomi`` or ``mine`` (pinyin abbreviations
such as ``xm`` are Latin terms too).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import ahocorasick

from listener.brandquery import Query, parse_query
from listener.domain import CrawlBrand, Mention
from listener.textfold import fold


@dataclass(frozen=True)
class BrandMatch:
    brand: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class _Rule:
    brand: str
    terms: tuple[str, ...]
    excludes: tuple[str, ...]
    queries: tuple[Query, ...]


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class BrandMatcher:
    def __init__(self, brands: Sequence[CrawlBrand]) -> None:
        self._rules: list[_Rule] = []
        self._automaton = ahocorasick.Automaton()
        everything: set[str] = set()
        self._rules_of: dict[str, list[int]] = defaultdict(list)
        """term → the rules it can make match (only those are evaluated for a post)."""
        for brand in brands:
            terms = tuple(
                dict.fromkeys(
                    t for t in (fold(x) for x in (brand.name, *brand.aliases, *brand.keywords)) if t
                )
            )
            queries = tuple(parse_query(q, fold) for q in brand.queries)
            rule = _Rule(brand.name, terms, tuple(fold(e) for e in brand.exclude if e), queries)
            for term in {*terms, *(t for q in queries for t in q.terms)}:
                self._rules_of[term].append(len(self._rules))
            self._rules.append(rule)
            everything.update(terms, rule.excludes, *(q.terms for q in queries))
        for term in everything:
            self._automaton.add_word(term, term)
        if everything:
            self._automaton.make_automaton()
        self._empty = not everything

    def hits(self, folded: str) -> dict[str, list[tuple[int, int]]]:
        """Every term's whole-word occurrences as (start, end) spans."""
        found: dict[str, list[tuple[int, int]]] = defaultdict(list)
        if self._empty:
            return found
        for end_index, term in self._automaton.iter(folded):
            start, end = end_index - len(term) + 1, end_index + 1
            if _is_word_char(term[0]) and start > 0 and _is_word_char(folded[start - 1]):
                continue
            if _is_word_char(term[-1]) and end < len(folded) and _is_word_char(folded[end]):
                continue
            found[term].append((start, end))
        return found

    def match(self, text: str) -> list[BrandMatch]:
        hits = self.hits(fold(text))
        candidates = sorted({i for term in hits for i in self._rules_of.get(term, ())})
        found = []
        for rule in (self._rules[i] for i in candidates):
            blocked = [span for ex in rule.excludes for span in hits.get(ex, ())]
            allowed = {
                term: spans
                for term in {*rule.terms, *(t for q in rule.queries for t in q.terms)}
                if (spans := [s for s in hits.get(term, ()) if not _inside(s, blocked)])
            }
            matched = [t for t in rule.terms if t in allowed]
            for query in rule.queries:
                if query.evaluate(allowed):
                    matched.extend(t for t in query.terms if t in allowed and t not in matched)
            if matched:
                found.append(BrandMatch(rule.brand, tuple(matched)))
        return found

    def assign(self, mention: Mention) -> Mention | None:
        """The mention with the brands it is about, or None when it is about none.

        The brands that match replace the ones it carried; a mention that matches none
        but already carries brands (a comment in a tracked thread) keeps them.
        """
        matches = self.match("\n".join((mention.title, mention.text, mention.text_original)))
        if not matches:
            return mention if mention.brands else None
        return mention.model_copy(
            update={
                "brands": tuple(m.brand for m in matches),
                "matched_terms": {m.brand: m.terms for m in matches},
            }
        )


def _inside(span: tuple[int, int], blocked: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in blocked)
