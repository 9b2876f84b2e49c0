"""Near-duplicate texts: normalised character bigrams, MinHash LSH, exact Jaccard check.

Texts are normalised (links, @mentions, numbers, emoji codes and punctuation removed);
posts whose character-bigram sets have a Jaccard similarity of at least ``threshold``
are near-duplicates. MinHash LSH (``datasketch``) proposes the candidate pairs without
comparing all of them.
"""

from __future__ import annotations

import re
from collections import defaultdict

from datasketch import MinHash, MinHashLSH

from listener.textfold import fold

_NOISE = re.compile(r"https?://\S+|@[\w\-\u4e00-\u9fff]+|\[[^\]]{1,8}\]|\d+|[^\w\u4e00-\u9fff]+")


def normalise(text: str) -> str:
    return _NOISE.sub("", fold(text))


def shingles(text: str) -> set[str]:
    """Character bigrams (the whole text when shorter)."""
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _minhash(items: set[str], permutations: int) -> MinHash:
    signature = MinHash(num_perm=permutations, seed=7)
    signature.update_batch([item.encode() for item in items])
    return signature


def clusters(texts: list[str], threshold: float = 0.6, permutations: int = 64) -> list[list[int]]:
    """Groups of indices of near-duplicate texts (Jaccard of bigram sets ≥ ``threshold``).

    MinHash LSH proposes candidate pairs without comparing all of them; each pair
    is confirmed on the exact Jaccard similarity before it joins a group.
    """
    sets = [shingles(normalise(t)) for t in texts]
    index = MinHashLSH(threshold=threshold, num_perm=permutations)
    signatures = [_minhash(s, permutations) for s in sets]
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, signature in enumerate(signatures):
        for key in index.query(signature):
            j = int(key)
            if len(sets[i] & sets[j]) >= threshold * len(sets[i] | sets[j]):
                parent[root(i)] = root(j)
        index.insert(str(i), signature)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(texts)):
        groups[root(i)].append(i)
    return [sorted(g) for g in groups.values() if len(g) > 1]
