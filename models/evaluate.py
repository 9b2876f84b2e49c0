"""``python -m models.evaluate --data FILE.jsonl [--model DIR]``: accuracy on a labelled file.

Each line is ``{"text": "...", "label": "positive" | "negative" | "neutral"}``, with an
optional ``"entity"``: the brand (or other target) the label is about, passed to the
model as the text's target.

A **binary** file (no ``neutral`` line): the larger of the two polar probabilities
decides (the neutral probability is left out); prints one JSON object: ``accuracy``,
``macro_f1``, ``n``, ``posts_per_s`` (scoring alone, in batches of ``--batch-size``),
and the model version.

A **three-class** file (some line is ``neutral``): the model's label decides;
``accuracy`` and ``macro_f1`` are three-class, with ``negative_precision``,
``negative_recall`` … ``positive_recall``, ``confusion`` (rows: the truth, columns: the
model, in the order negative, neutral, positive), and the binary figures on the polar
lines as ``binary_accuracy``, ``binary_macro_f1``, ``n_polar``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from models import load_scorer
from models.model import ModelError

CLASSES = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[str]
    entities: list[str | None]

    @property
    def three_class(self) -> bool:
        return "neutral" in self.labels


def read(path: Path) -> Labelled:
    texts, labels, entities = [], [], []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SystemExit(f"error: cannot read {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, label = row["text"], row["label"]
            entity = row.get("entity") or None
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            raise SystemExit(
                f'error: {path}, line {number}: expected {{"text": ..., "label": ...}}'
            ) from None
        if label not in CLASSES or not isinstance(text, str):
            raise SystemExit(
                f"error: {path}, line {number}: label must be positive, negative or neutral, "
                f"got {label!r}"
            )
        if entity is not None and not isinstance(entity, str):
            raise SystemExit(f"error: {path}, line {number}: entity must be a string")
        texts.append(text)
        labels.append(label)
        entities.append(entity)
    if not texts:
        raise SystemExit(f"error: {path} has no labelled lines")
    return Labelled(texts, labels, entities)


def _f1(truth: Sequence[str], guess: Sequence[str], label: str) -> tuple[float, float, float]:
    """Precision, recall, F1 of one class (1.0 where nothing was there to find or claim)."""
    pairs = list(zip(truth, guess, strict=True))
    tp = sum(t == g == label for t, g in pairs)
    fp = sum(g == label != t for t, g in pairs)
    fn = sum(t == label != g for t, g in pairs)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, (2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0)


def macro_f1(truth: Sequence[str], guess: Sequence[str]) -> float:
    """Binary macro-F1 (negative and positive)."""
    return sum(_f1(truth, guess, label)[2] for label in ("negative", "positive")) / 2


def three_class(truth: Sequence[str], guess: Sequence[str]) -> dict[str, object]:
    """Three-class accuracy, macro-F1, per-class precision/recall and the confusion
    matrix (rows: the truth, columns: the guess, both in ``CLASSES`` order)."""
    out: dict[str, object] = {
        "accuracy": round(sum(t == g for t, g in zip(truth, guess, strict=True)) / len(truth), 4)
    }
    f1s = []
    for label in CLASSES:
        precision, recall, f1 = _f1(truth, guess, label)
        out[f"{label}_precision"] = round(precision, 4)
        out[f"{label}_recall"] = round(recall, 4)
        f1s.append(f1)
    out["macro_f1"] = round(sum(f1s) / len(f1s), 4)
    out["confusion"] = [
        [sum(t == row and g == col for t, g in zip(truth, guess, strict=True)) for col in CLASSES]
        for row in CLASSES
    ]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped model")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    data = read(args.data)
    try:
        scorer = load_scorer(args.model, threads=args.threads, batch_size=args.batch_size)
    except ModelError as exc:
        raise SystemExit(f"error: {exc}") from None
    targets = data.entities if any(data.entities) else None
    started = time.perf_counter()
    scores = scorer.score(data.texts, targets)
    seconds = time.perf_counter() - started
    polar = [i for i, label in enumerate(data.labels) if label != "neutral"]
    truth = [data.labels[i] for i in polar]
    guess = ["positive" if scores[i].positive > scores[i].negative else "negative" for i in polar]
    binary = {
        "accuracy": round(sum(t == g for t, g in zip(truth, guess, strict=True)) / len(truth), 4)
        if truth
        else None,
        "macro_f1": round(macro_f1(truth, guess), 4) if truth else None,
    }
    result: dict[str, object]
    if data.three_class:
        result = three_class(data.labels, [s.label for s in scores])
        result |= {
            "binary_accuracy": binary["accuracy"],
            "binary_macro_f1": binary["macro_f1"],
            "n_polar": len(polar),
        }
    else:
        result = dict(binary)
    result |= {
        "n": len(data.texts),
        "posts_per_s": round(len(data.texts) / seconds, 1),
        "model_version": scorer.version,
    }
    json.dump(result, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
