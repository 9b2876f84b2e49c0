"""The baseline the sentiment model must beat: character n-gram TF-IDF + logistic regression.

``python -m bench.sentiment_baseline [--split dev|test] [--hold-out CORPUS]`` trains on
the train split of every corpus (``models.data``: reviews, Weibo and the three-class
mentions, neutral included) and prints, per domain, the binary evaluation the model's
``python -m models.evaluate`` uses (the larger of the two polar probabilities decides;
neutral-labelled posts are left out): accuracy, macro-F1, n, and posts per second (one
process, batches of 32); where the domain has neutral posts, the three-class figures
too (``three_class``: accuracy, macro-F1, per-class precision/recall, confusion). With
``--hold-out``: trained without one corpus, evaluated on all of it (cross-corpus).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import Pipeline

from models.data import CORPORA, DOMAINS, Example, held_out, labelled, select
from models.evaluate import three_class

CLASSES = ("negative", "neutral", "positive")


def train(examples: Sequence[Example]) -> Pipeline:
    model = Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=(1, 3),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=400_000,
                ),
            ),
            ("lr", LogisticRegression(C=4.0, max_iter=2000)),
        ]
    )
    model.fit([e.text for e in examples], [e.label for e in examples])
    return model


def evaluate(model: Pipeline, examples: Sequence[Example]) -> dict[str, object]:
    texts = [e.text for e in examples]
    started = time.perf_counter()
    probs = np.vstack([model.predict_proba(texts[i : i + 32]) for i in range(0, len(texts), 32)])
    seconds = time.perf_counter() - started
    order = list(model.classes_)
    polar = [i for i, e in enumerate(examples) if e.label != "neutral"]
    neg, pos = probs[polar, order.index("negative")], probs[polar, order.index("positive")]
    predicted = np.where(pos > neg, "positive", "negative")
    truth = [examples[i].label for i in polar]
    out: dict[str, object] = {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
        "n": len(polar),
        "posts_per_s": round(len(examples) / seconds),
    }
    if len(polar) < len(examples):
        guess = [order[i] for i in probs.argmax(axis=1)]
        out["three_class"] = three_class([e.label for e in examples], guess)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument(
        "--hold-out",
        choices=CORPORA,
        help="cross-corpus: train without this corpus, evaluate on all of it",
    )
    args = parser.parse_args()
    examples = labelled()
    if args.hold_out:
        training, unseen = held_out(examples, args.hold_out)
        model = train(training)
        print(json.dumps({"held_out": args.hold_out, **evaluate(model, unseen)}))
        return
    training = select(examples, "train")
    started = time.perf_counter()
    model = train(training)
    print(f"trained on {len(training):,} examples in {time.perf_counter() - started:.0f} s")
    for domain in DOMAINS:
        result = evaluate(model, select(examples, args.split, domain))
        print(json.dumps({"domain": domain, "split": args.split, **result}))


if __name__ == "__main__":
    main()
