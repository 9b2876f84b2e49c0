"""The wide half of the sentiment model: logistic regression on hashed token n-grams.

The 2 M-parameter encoder (the size the CPU speed target allows) learns word-level
cues from 75k labelled texts more slowly than a linear model over every 1–3-gram
does; the two make different mistakes. The shipped model adds this linear model's
logits to the encoder's ("wide & deep"): ``logits = encoder + ngram_weight · ngrams``,
then the temperature. ``ngram_weight`` and the temperature are fitted together on the
dev split (two numbers; ``models.train``), and the card reports the encoder alone,
this model alone and the sum on every split.

Features are the tokenizer's own ids (one per Chinese character, WordPiece for
Latin), so inference needs nothing beyond numpy: each 1-, 2- and 3-gram of ids is
hashed into ``BUCKETS`` buckets; a text's vector is the sublinear term frequency
times the inverse document frequency (buckets seen in fewer than two training texts
weigh nothing), L2-normalised — the TF-IDF of ``bench/sentiment_baseline.py`` over
ids instead of characters. Fitting uses scikit-learn (training only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BUCKETS = 1 << 20
ORDERS = (1, 2, 3)
FILE = "ngrams.npz"
_STEP = np.uint64(0xBF58476D1CE4E5B9)  # odd 64-bit constants: the hash wraps modulo 2**64
_SEED = {n: np.uint64(n * 0x9E3779B97F4A7C15 % 2**64) for n in ORDERS}


def _hashes(ids: Sequence[int]) -> np.ndarray:
    """The buckets of a text's 1–3-grams of token ids (with repeats)."""
    tokens = np.asarray(ids, dtype=np.uint64)
    parts = []
    for n in ORDERS:
        if len(tokens) < n:
            break
        h = np.full(len(tokens) - n + 1, _SEED[n], dtype=np.uint64)
        for k in range(n):
            h = (h ^ tokens[k : len(tokens) - n + 1 + k]) * _STEP
        parts.append(h >> np.uint64(44))  # the top 20 bits: BUCKETS = 2**20
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def counts(texts: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, bucket, count) of every distinct bucket per text, rows ascending."""
    hashes = [_hashes(ids) for ids in texts]
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), [len(h) for h in hashes])
    keys = rows * BUCKETS + (
        np.concatenate(hashes).astype(np.int64) if hashes else np.zeros(0, np.int64)
    )
    unique, count = np.unique(keys, return_counts=True)
    return unique // BUCKETS, unique % BUCKETS, count.astype(np.float32)


@dataclass(frozen=True)
class NgramModel:
    idf: np.ndarray  # (BUCKETS,) float32; 0 for buckets too rare to trust
    coef: np.ndarray  # (classes, BUCKETS) float32
    intercept: np.ndarray  # (classes,) float32

    def features(self, texts: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, bucket, weight): the L2-normalised sublinear TF-IDF, sparse."""
        rows, buckets, count = counts(texts)
        weight = (1.0 + np.log(count)) * self.idf[buckets]
        norm = np.sqrt(np.bincount(rows, weight * weight, minlength=len(texts)))
        weight = weight / np.maximum(norm[rows], 1e-12)
        return rows, buckets, weight.astype(np.float32)

    def logits(self, texts: Sequence[Sequence[int]]) -> np.ndarray:
        """One row of class logits per text (ids without [CLS]/[SEP])."""
        rows, buckets, weight = self.features(texts)
        out = np.tile(self.intercept, (len(texts), 1)).astype(np.float32)
        for c in range(len(self.intercept)):
            out[:, c] += np.bincount(rows, self.coef[c, buckets] * weight, minlength=len(texts))
        return out

    def save(self, path: Path) -> None:
        np.savez_compressed(path, idf=self.idf, coef=self.coef, intercept=self.intercept)

    @classmethod
    def load(cls, path: Path) -> NgramModel:
        with np.load(path) as raw:
            model = cls(raw["idf"], raw["coef"], raw["intercept"])
        if model.idf.shape != (BUCKETS,) or model.coef.shape != (len(model.intercept), BUCKETS):
            raise ValueError(f"{path}: unexpected shapes {model.idf.shape}, {model.coef.shape}")
        return model


def fit(texts: Sequence[Sequence[int]], labels: Sequence[int], c: float = 4.0) -> NgramModel:
    """Document frequencies, then scikit-learn's logistic regression on the TF-IDF."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    rows, buckets, _ = counts(texts)
    df = np.bincount(buckets, minlength=BUCKETS)
    idf = np.where(df >= 2, np.log((1 + len(texts)) / (1 + df)) + 1, 0).astype(np.float32)
    model = NgramModel(idf, np.zeros((0, BUCKETS), np.float32), np.zeros(0, np.float32))
    rows, buckets, weight = model.features(texts)
    matrix = csr_matrix((weight, (rows, buckets)), shape=(len(texts), BUCKETS))
    regression = LogisticRegression(C=c, max_iter=2000)
    regression.fit(matrix, np.asarray(labels))
    if list(regression.classes_) != list(range(len(regression.classes_))):
        raise ValueError(f"every class needs examples; got {list(regression.classes_)}")
    return NgramModel(
        idf, regression.coef_.astype(np.float32), regression.intercept_.astype(np.float32)
    )
