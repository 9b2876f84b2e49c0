"""``python -m models.evaluate --data FILE.jsonl [--model DIR]``: accuracy on a labelled file.

Each line is ``{"text": "...", "label": "positive" | "negative"}``. Binary evaluation:
the larger of the two polar probabilities decides (the neutral probability is left
out). Prints one JSON object: ``accuracy``, ``macro_f1``, ``n``, ``posts_per_s``
(scoring alone, in batches of ``--batch-size``), and the model version.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from models import load_scorer
from models.model import ModelError


def read(path: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
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
        except (json.JSONDecodeError, KeyError, TypeError):
            raise SystemExit(
                f'error: {path}, line {number}: expected {{"text": ..., "label": ...}}'
            ) from None
        if label not in ("positive", "negative") or not isinstance(text, str):
            raise SystemExit(
                f"error: {path}, line {number}: label must be positive or negative, got {label!r}"
            )
        texts.append(text)
        labels.append(label)
    if not texts:
        raise SystemExit(f"error: {path} has no labelled lines")
    return texts, labels


def macro_f1(truth: Sequence[str], guess: Sequence[str]) -> float:
    scores = []
    for label in ("negative", "positive"):
        tp = sum(t == g == label for t, g in zip(truth, guess, strict=True))
        fp = sum(g == label != t for t, g in zip(truth, guess, strict=True))
        fn = sum(t == label != g for t, g in zip(truth, guess, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0)
    return sum(scores) / 2


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped model")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    texts, truth = read(args.data)
    try:
        scorer = load_scorer(args.model, threads=args.threads, batch_size=args.batch_size)
    except ModelError as exc:
        raise SystemExit(f"error: {exc}") from None
    started = time.perf_counter()
    scores = scorer.score(texts)
    seconds = time.perf_counter() - started
    guess = ["positive" if s.positive > s.negative else "negative" for s in scores]
    correct = sum(t == g for t, g in zip(truth, guess, strict=True))
    json.dump(
        {
            "accuracy": round(correct / len(truth), 4),
            "macro_f1": round(macro_f1(truth, guess), 4),
            "n": len(truth),
            "posts_per_s": round(len(texts) / seconds, 1),
            "model_version": scorer.version,
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
