"""Per-mention enrichment before indexing: author influence and crisis vocabulary.

Both are small pure functions so that detectors and tests can reuse them. The
early-warning work refines the influence model; this first version already
follows its idea: not every voice weighs the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from listener.domain import EngagementSnapshot, Mention, Score

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


INFLUENCE_WEIGHTS = {"reach": 0.5, "verified": 0.15, "resonance": 0.25, "relevance": 0.1}


def influence(mention: Mention) -> tuple[float, dict[str, float]]:
    """How much weight this voice carries for this brand, 0..1, with its parts.

    - reach: followers, log-scaled (10 million → 1);
    - verified: a verified account (media, officials, KOLs);
    - resonance: how far this post is reshared and discussed (10k interactions → 1);
    - relevance: how squarely it is about the brand (terms matched, brand up front).
    """
    author, e = mention.author, mention.engagement
    reach = min(1.0, math.log10((author.followers or 0) + 1) / 7.0)
    resonance = min(1.0, math.log10(1 + 2 * e.reposts + e.comments + 0.2 * e.likes) / 4.0)
    terms = sum(len(t) for t in mention.matched_terms.values())
    head = (mention.title + mention.text)[:30]
    up_front = any(b in head for b in mention.brands)
    relevance = (
        min(1.0, 0.5 * min(terms, 2) + (0.25 if up_front else 0.0)) if mention.brands else 0.0
    )
    parts = {
        "reach": round(reach, 3),
        "verified": 1.0 if author.verified else 0.0,
        "resonance": round(resonance, 3),
        "relevance": round(relevance, 3),
    }
    score = sum(INFLUENCE_WEIGHTS[k] * v for k, v in parts.items())
    return round(min(1.0, score), 4), parts


def crisis_terms(text: str, vocabulary: Iterable[str]) -> tuple[str, ...]:
    return tuple(term for term in vocabulary if term in text)


MAX_SNAPSHOTS = 48


def with_history(mention: Mention, previous: Mention | None) -> Mention:
    """Carry the engagement history of an already stored copy of the same post.

    Each collection of a post is one snapshot (when it was collected, its counts);
    the viral-thread detector reads growth from them. A full text fetched earlier
    survives a re-visit that saw only the platform's truncated version, and the
    publication time first recorded is kept.
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
    # a post is published once: the first time seen stays (a platform that prints no
    # time, or a relative one, must not move the post into a new bucket on every visit)
    update: dict[str, object] = {"snapshots": history, "published_at": previous.published_at}
    if previous.long_text and len(previous.text) > len(mention.text):
        # a re-visit saw the truncated text again: keep the full one fetched before
        update.update(text=previous.text, text_original=previous.text_original, long_text=True)
    return mention.model_copy(update=update)


Vocabulary = Mapping[str, tuple[str, ...]]
"""Crisis terms per brand; the entry under "" applies to every brand."""


def plausible_time(mention: Mention) -> Mention:
    """A post cannot be published after it was collected: a future ``published_at``
    (platform clock skew, a misread date) becomes the collection time, so it cannot land
    in a future bucket and fake a spike there."""
    if mention.published_at <= mention.collected_at:
        return mention
    return mention.model_copy(update={"published_at": mention.collected_at})


def enrich(mention: Mention, score: Score, vocabulary: Vocabulary) -> Mention:
    weight, parts = influence(mention)
    author = mention.author.model_copy(update={"influence": weight, "influence_parts": parts})
    words = dict.fromkeys(vocabulary.get("", ()))
    for brand in mention.brands:
        words.update(dict.fromkeys(vocabulary.get(brand, ())))
    terms = crisis_terms("\n".join((mention.title, mention.text)), words)
    return plausible_time(mention).model_copy(
        update={"sentiment": score, "author": author, "crisis_terms": terms}
    )
