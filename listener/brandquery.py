"""A small boolean query language for brand rules.

    小米 AND (汽车 OR SU7) NOT 小米粥
    "雷军 道歉" OR 小米 NEAR/10 召回

``AND`` (or just a space), ``OR``, ``NOT``, parentheses, quoted phrases, and
``A NEAR/n B``: both terms within *n* characters of each other (either order).
Terms are folded like the text (width, case, Traditional → Simplified).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

Hits = Mapping[str, Sequence[tuple[int, int]]]
"""Folded term → the (start, end) spans where it occurs in the folded text."""

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|(NEAR/\d+)|([^\s()"]+))')


class QueryError(ValueError):
    """The query cannot be read; the message says where."""


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]
    evaluate: Callable[[Hits], bool]


Predicate = Callable[[Hits], bool]
_OPERATORS = ("(", ")", "AND", "OR", "NOT")


def parse_query(text: str, fold: Callable[[str], str]) -> Query:
    tokens = _tokens(text)
    if not tokens:
        raise QueryError("empty query")
    parser = _Parser(text, tokens, fold)
    evaluate, positive = parser.disjunction()
    if parser.position != len(tokens):
        raise QueryError(f"unexpected {tokens[parser.position]!r} in {text!r}")
    if not positive:
        raise QueryError(
            f"{text!r} never matches: it (or one of its OR branches) is made only of NOT "
            "terms, and posts are found by the terms they contain; give every branch a term "
            "that must appear (小米 NOT 小米粥, not NOT 小米粥 alone)"
        )
    return Query(text, tuple(dict.fromkeys(parser.terms)), evaluate)


Node = tuple[Predicate, bool]
"""A sub-query and whether it can be true only when one of its terms occurs (a query
whose every branch is ``NOT …`` can never match: matching starts from the terms found)."""


class _Parser:
    """Recursive descent: OR of ANDs of (NOT) atoms; an atom is a term, a phrase, a
    parenthesised query or ``term NEAR/n term``."""

    def __init__(self, text: str, tokens: list[str], fold: Callable[[str], str]) -> None:
        self.text, self.tokens, self.fold = text, tokens, fold
        self.position = 0
        self.terms: list[str] = []

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        self.position += 1
        return self.tokens[self.position - 1]

    def term(self, raw: str) -> tuple[str, Predicate]:
        folded = self.fold(raw.strip('"'))
        if not folded:
            raise QueryError(f"empty phrase in {self.text!r}")
        self.terms.append(folded)
        return folded, lambda hits: bool(hits.get(folded))

    def atom(self) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError(f"query ends too early: {self.text!r}")
        if token == "(":
            self.take()
            inner = self.disjunction()
            if self.peek() != ")":
                raise QueryError(f"missing ')' in {self.text!r}")
            self.take()
            return inner
        if token in _OPERATORS or token.startswith("NEAR/"):
            raise QueryError(f"unexpected {token!r} in {self.text!r}")
        left, single = self.term(self.take())
        near = self.peek()
        if near is None or not near.startswith("NEAR/"):
            return single, True
        self.take()
        right_raw = self.peek()
        if right_raw is None or right_raw in _OPERATORS or right_raw.startswith("NEAR/"):
            raise QueryError(f"NEAR needs a term on both sides in {self.text!r}")
        right, _ = self.term(self.take())
        return _near(left, right, int(near[5:])), True

    def negation(self) -> Node:
        if self.peek() == "NOT":
            self.take()
            inner, _ = self.negation()
            return (lambda hits: not inner(hits)), False
        return self.atom()

    def conjunction(self) -> Node:
        nodes = [self.negation()]
        while (token := self.peek()) is not None and token not in (")", "OR"):
            if token == "AND":
                self.take()
            nodes.append(self.negation())
        parts = [predicate for predicate, _ in nodes]
        return (lambda hits: all(p(hits) for p in parts)), any(pos for _, pos in nodes)

    def disjunction(self) -> Node:
        nodes = [self.conjunction()]
        while self.peek() == "OR":
            self.take()
            nodes.append(self.conjunction())
        parts = [predicate for predicate, _ in nodes]
        return (lambda hits: any(p(hits) for p in parts)), all(pos for _, pos in nodes)


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    index = 0
    while index < len(text):
        match = _TOKEN.match(text, index)
        if match is None or match.end() == index:
            if text[index:].strip():
                raise QueryError(f"cannot read {text[index:]!r} in {text!r}")
            break
        opened, closed, phrase, near, word = match.groups()
        if phrase is not None:
            tokens.append(f'"{phrase}"')
        else:
            tokens.append(opened or closed or near or word)
        index = match.end()
    return tokens


def _near(left: str, right: str, distance: int) -> Predicate:
    """Both terms occur with at most ``distance`` characters between them."""

    def evaluate(hits: Hits) -> bool:
        return any(
            max(a_start, b_start) - min(a_end, b_end) <= distance
            for a_start, a_end in hits.get(left, ())
            for b_start, b_end in hits.get(right, ())
        )

    return evaluate
