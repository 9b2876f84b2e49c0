"""What training measures: both halves' logits, binary accuracy, calibration (ECE, a
temperature), the blend of the two halves fitted on dev."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from transformers import BertForSequenceClassification

from listener.domain import SentimentLabel
from models.data import (
    Example,
)
from models.evaluate import macro_f1
from models.model import pad
from models.ngrams import NgramModel

LABELS: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def tensors(batch: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    input_ids, mask = pad(batch)
    return torch.from_numpy(input_ids), torch.from_numpy(mask)


def logits_of(model: BertForSequenceClassification, ids: list[list[int]]) -> torch.Tensor:
    model.eval()
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = torch.zeros((len(ids), len(LABELS)))
    with torch.inference_mode():
        for start in range(0, len(order), 64):
            rows = order[start : start + 64]
            input_ids, mask = tensors([ids[i] for i in rows])
            out[rows] = model(input_ids=input_ids, attention_mask=mask).logits.float()
    model.train()
    return out


def binary_accuracy(logits: torch.Tensor, examples: Sequence[Example]) -> tuple[float, float]:
    """The evaluate command's measure on polar examples: accuracy and macro-F1."""
    polar = [i for i, e in enumerate(examples) if e.label != "neutral"]
    neg, pos = LABELS.index("negative"), LABELS.index("positive")
    truth = [examples[i].label for i in polar]
    guess = ["positive" if logits[i, pos] > logits[i, neg] else "negative" for i in polar]
    accuracy = sum(t == g for t, g in zip(truth, guess, strict=True)) / max(1, len(polar))
    return accuracy, macro_f1(truth, guess)


def ece(probs: torch.Tensor, truth: torch.Tensor, bins: int = 10) -> float:
    confidence, guess = probs.max(dim=1)
    total = 0.0
    for b in range(bins):
        inside = (confidence > b / bins) & (confidence <= (b + 1) / bins)
        if inside.any():
            gap = (guess[inside] == truth[inside]).float().mean() - confidence[inside].mean()
            total += inside.float().mean().item() * abs(gap.item())
    return total


def fit_temperature(logits: torch.Tensor, truth: torch.Tensor) -> float:
    log_t = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(logits / log_t.exp(), truth)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(log_t.exp().item())


@dataclass(frozen=True)
class Blend:
    """``softmax((encoder + ngram_weight · ngrams) / temperature)``, both fitted on dev."""

    temperature: float
    ngram_weight: float


def fit_blend(encoder: torch.Tensor, ngrams: torch.Tensor, truth: torch.Tensor) -> Blend:
    """The n-gram weight and the temperature minimising the dev NLL (two numbers, both
    fitted in log space: positive by construction, and no flat region to get stuck in)."""
    params = torch.zeros(2, requires_grad=True)  # log temperature, log weight
    optimizer = torch.optim.LBFGS([params], lr=0.1, max_iter=500)

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        logits = (encoder + params[1].exp() * ngrams) / params[0].exp()
        loss = nn.functional.cross_entropy(logits, truth)
        loss.backward()
        return loss

    optimizer.step(closure)
    temperature, weight = params.exp().tolist()
    return Blend(temperature, weight)


@dataclass
class Parts:
    """Both halves' logits for a set of examples, computed once."""

    examples: list[Example]
    encoder: torch.Tensor
    ngrams: torch.Tensor

    @classmethod
    def of(
        cls,
        examples: list[Example],
        model: BertForSequenceClassification,
        wide: NgramModel,
        encoded: dict[str, list[int]],
    ) -> Parts:
        ids = [encoded[e.text] for e in examples]
        wide_logits = torch.from_numpy(wide.logits([i[1:-1] for i in ids]))
        return cls(examples, logits_of(model, ids), wide_logits)

    def blended(self, blend: Blend) -> torch.Tensor:
        return self.encoder + blend.ngram_weight * self.ngrams

    def truth(self) -> torch.Tensor:
        return torch.tensor([LABELS.index(e.label) for e in self.examples])


def measured(parts: Parts, blend: Blend) -> dict[str, float]:
    """The shipped model's binary accuracy/F1, ECE before/after temperature, and each
    half's accuracy alone."""
    logits = parts.blended(blend)
    accuracy, f1 = binary_accuracy(logits, parts.examples)
    truth = parts.truth()
    return {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(f1, 4),
        "n_polar": sum(1 for e in parts.examples if e.label != "neutral"),
        "ece_raw": round(ece(torch.softmax(logits, dim=1), truth), 4),
        "ece": round(ece(torch.softmax(logits / blend.temperature, dim=1), truth), 4),
        "encoder_accuracy": round(binary_accuracy(parts.encoder, parts.examples)[0], 4),
        "ngrams_accuracy": round(binary_accuracy(parts.ngrams, parts.examples)[0], 4),
    }
