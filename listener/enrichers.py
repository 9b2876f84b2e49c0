"""Per-mention enrichment before indexing: author influence and crisis vocabulary.

Both are small pure functions so that detectors and tests can reuse them. The
early-warning work refines the influence model; this first version already
follows its idea: not every voice weighs the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from listener.domain import Author, EngagementSnapshot, Mention, Score

DEFAULT_CRISIS_TERMS = (
    "维权",
    "投诉",
    "曝光",
    "召回",
    "退款",
    "315",
    "爆炸",
    "起火",
    "自燃",
    "中毒",
    "致癌",
    "欺诈",
    "诈骗",
    "跑路",
    "虚假宣传",
    "质量问题",
    "集体诉讼",
    "起诉",
    "立案",
    "死亡",
    "受伤",
    "黑幕",
    "翻车",
    "塌房",
    "抵制",
    "道歉",
)


def influence(author: Author) -> float:
    """0..1: log-scaled followers (1M followers: 0.68), plus 0.15 for a verified account."""
    followers = author.followers or 0
    reach = min(1.0, math.log10(followers + 1) / 7.5)
    return round(min(1.0, 0.85 * reach + (0.15 if author.verified else 0.0)), 4)


def crisis_terms(text: str, vocabulary: Iterable[str]) -> tuple[str, ...]:
    return tuple(term for term in vocabulary if term in text)


MAX_SNAPSHOTS = 48


def with_history(mention: Mention, previous: Mention | None) -> Mention:
    """Carry the engagement history of an already stored copy of the same post.

    Each collection of a post is one snapshot (when it was collected, its counts);
    the viral-thread detector reads growth from them.
    """
    if previous is None:
        return mention
    points = {s.at: s for s in previous.snapshots}
    points.setdefault(
        previous.collected_at,
        EngagementSnapshot(at=previous.collected_at, engagement=previous.engagement),
    )
    points.pop(mention.collected_at, None)
    history = tuple(sorted(points.values(), key=lambda s: s.at))[-MAX_SNAPSHOTS:]
    return mention.model_copy(update={"snapshots": history})


def enrich(mention: Mention, score: Score, vocabulary: tuple[str, ...]) -> Mention:
    author = mention.author.model_copy(update={"influence": influence(mention.author)})
    terms = crisis_terms("\n".join((mention.title, mention.text)), vocabulary)
    return mention.model_copy(update={"sentiment": score, "author": author, "crisis_terms": terms})
