"""The wide half of the sentiment model (``models.ngrams``): hashing, TF-IDF, fitting,
saving, and how the model directory's calibration adds it to the encoder."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from models import SHIPPED
from models.model import Calibration, ModelError, SentimentModel
from models.ngrams import BUCKETS, FILE, NgramModel, counts, fit


def test_counts_are_distinct_buckets_of_1_to_3_grams_per_text() -> None:
    rows, buckets, count = counts([[5, 6, 5, 6], [7], []])
    first = buckets[rows == 0]
    # 5,6,5,6: unigrams {5: 2, 6: 2}, bigrams {56: 2, 65: 1}, trigrams {565, 656}
    assert len(first) == 6 and sorted(count[rows == 0].tolist()) == [1, 1, 1, 2, 2, 2]
    assert len(buckets[rows == 1]) == 1 and not (rows == 2).any()
    assert ((buckets >= 0) & (buckets < BUCKETS)).all()
    again = counts([[5, 6, 5, 6]])[1]
    assert np.array_equal(np.sort(again), np.sort(first))  # a pure function of the ids
    assert not np.array_equal(np.sort(counts([[6, 5]])[1]), np.sort(counts([[5, 6]])[1]))


def test_features_are_l2_normalised_and_rare_buckets_weigh_nothing() -> None:
    idf = np.ones(BUCKETS, dtype=np.float32)
    rare = counts([[9]])[1][0]
    idf[rare] = 0.0
    model = NgramModel(idf, np.zeros((3, BUCKETS), np.float32), np.zeros(3, np.float32))
    rows, buckets, weight = model.features([[1, 2, 3], [9, 1]])
    for row in (0, 1):
        assert np.isclose(np.sqrt((weight[rows == row] ** 2).sum()), 1.0)
    assert weight[(rows == 1) & (buckets == rare)].tolist() == [0.0]


def sample() -> tuple[list[list[int]], list[int]]:
    good, bad, filler = [10, 11], [20, 21], [30, 31, 32, 33]
    texts, labels = [], []
    for i in range(60):
        texts.append([*filler[: i % 4], *good, i % 7 + 40])
        labels.append(2)
        texts.append([*bad, *filler[: i % 3], i % 5 + 50])
        labels.append(0)
        texts.append([*filler, i % 6 + 60])
        labels.append(1)
    return texts, labels


def test_fit_learns_which_ngrams_mean_what_and_survives_a_save(tmp_path: Path) -> None:
    texts, labels = sample()
    model = fit(texts, labels)
    guess = model.logits([[33, 10, 11], [20, 21, 30], [30, 31, 32, 33]]).argmax(axis=1)
    assert guess.tolist() == [2, 0, 1]
    model.save(tmp_path / FILE)
    again = NgramModel.load(tmp_path / FILE)
    assert np.array_equal(again.logits(texts[:9]), model.logits(texts[:9]))
    np.savez_compressed(tmp_path / "bad.npz", idf=model.idf[:10], coef=model.coef, intercept=[0])
    with pytest.raises(ValueError, match="unexpected shapes"):
        NgramModel.load(tmp_path / "bad.npz")
    with pytest.raises(ValueError, match="every class needs examples"):
        fit(texts[:2], [0, 2])


def test_the_model_adds_the_weighted_ngram_logits_before_the_temperature(
    tmp_path: Path,
) -> None:
    shipped = Calibration.read(SHIPPED / "calibration.json")
    plain = tmp_path / "plain"
    shutil.copytree(SHIPPED, plain)
    (plain / FILE).unlink(missing_ok=True)
    Calibration(shipped.temperature, shipped.labels, "plain", shipped.max_length).write(
        plain / "calibration.json"
    )
    texts = ["客服态度很差，再也不买了", "物流很快，好评", "今天发布会几点开始"]
    base = SentimentModel(plain)
    wide = tmp_path / "wide"
    shutil.copytree(plain, wide)
    coef = np.zeros((3, BUCKETS), np.float32)
    NgramModel(np.ones(BUCKETS, np.float32), coef, np.array([0, 0, 5], np.float32)).save(
        wide / FILE
    )
    Calibration(shipped.temperature, shipped.labels, "wide", shipped.max_length, 0.5).write(
        wide / "calibration.json"
    )
    plus = SentimentModel(wide).probabilities(texts)
    expected = base.probabilities(texts) * np.exp([0, 0, 2.5 / shipped.temperature])
    assert np.allclose(plus, expected / expected.sum(axis=1, keepdims=True), atol=1e-5)

    (wide / FILE).unlink()
    with pytest.raises(ModelError, match=r"ngrams\.npz"):
        SentimentModel(wide)
