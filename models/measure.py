"""What training measures: both halves' logits, binary accuracy, three-class accuracy,
macro-F1 and per-class precision/recall, calibration (ECE overall and per class, a
temperature, per-class offsets), the blend of the two halves fitted on dev."""

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
from models.evaluate import macro_f1, three_class
from models.model import Specials, pad, text_ids
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


def classwise_ece(probs: torch.Tensor, truth: torch.Tensor, bins: int = 10) -> list[float]:
    """Per class: how far the predicted probability of that class is from how often it
    is the truth, over equal-width probability bins."""
    out = []
    for c in range(probs.shape[1]):
        p, hit = probs[:, c], (truth == c).float()
        total = 0.0
        for b in range(bins):
            inside = (p > b / bins) & (p <= (b + 1) / bins) if b else p <= 1 / bins
            if inside.any():
                gap = hit[inside].mean() - p[inside].mean()
                total += inside.float().mean().item() * abs(gap.item())
        out.append(round(total, 4))
    return out


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
    """``softmax((encoder + ngram_weight · ngrams) / temperature + bias)``, fitted on dev."""

    temperature: float
    ngram_weight: float
    bias: tuple[float, ...] = ()

    def apply(self, logits: torch.Tensor) -> torch.Tensor:
        scaled = logits / self.temperature
        return scaled + torch.tensor(self.bias) if self.bias else scaled


def balanced_weights(examples: Sequence[Example]) -> torch.Tensor:
    """Per example: every domain weighs the same, and within it every class it has."""
    count: dict[tuple[str, str], int] = {}
    for e in examples:
        count[(e.domain, e.label)] = count.get((e.domain, e.label), 0) + 1
    classes = {d: sum(1 for (dd, _) in count if dd == d) for d, _ in count}
    weights = torch.tensor(
        [1.0 / (count[(e.domain, e.label)] * classes[e.domain]) for e in examples]
    )
    return weights / weights.sum()


def fit_blend(
    encoder: torch.Tensor,
    ngrams: torch.Tensor,
    truth: torch.Tensor,
    weights: torch.Tensor | None = None,
) -> Blend:
    """The n-gram weight, the temperature (both in log space: positive by construction)
    and an offset of the neutral logit minimising the dev NLL, each example weighed by
    ``weights`` (default: equally). Only neutral moves: the polar decision (negative
    against positive, what the binary figures measure) is the blend's own."""
    params = torch.zeros(3, requires_grad=True)  # log temperature, log weight, neutral
    if weights is None:
        weights = torch.full((len(truth),), 1.0 / len(truth))
    neutral = torch.zeros(encoder.shape[1])
    neutral[LABELS.index("neutral")] = 1.0
    optimizer = torch.optim.LBFGS([params], lr=0.1, max_iter=500)

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        logits = (encoder + params[1].exp() * ngrams) / params[0].exp() + params[2] * neutral
        loss = (nn.functional.cross_entropy(logits, truth, reduction="none") * weights).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    temperature, weight = params[:2].exp().tolist()
    bias = (neutral * params[2].detach()).tolist()
    return Blend(temperature, weight, tuple(round(b, 6) for b in bias))


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
        encoded: dict[tuple[str, str], list[int]],
        special: Specials,
    ) -> Parts:
        ids = [encoded[e.key] for e in examples]
        wide_logits = torch.from_numpy(wide.logits([text_ids(i, special) for i in ids]))
        return cls(examples, logits_of(model, ids), wide_logits)

    def blended(self, blend: Blend) -> torch.Tensor:
        return self.encoder + blend.ngram_weight * self.ngrams

    def truth(self) -> torch.Tensor:
        return torch.tensor([LABELS.index(e.label) for e in self.examples])


def measured(parts: Parts, blend: Blend) -> dict[str, object]:
    """The shipped model's binary accuracy/F1, ECE before/after calibration, each half's
    accuracy alone, and where the examples have neutral ones the three-class figures
    (``models.evaluate.three_class``: accuracy, macro-F1, per-class precision/recall,
    confusion matrix) with the per-class ECE."""
    logits = parts.blended(blend)
    accuracy, f1 = binary_accuracy(logits, parts.examples)
    truth = parts.truth()
    calibrated = torch.softmax(blend.apply(logits), dim=1)
    out: dict[str, object] = {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(f1, 4),
        "n_polar": sum(1 for e in parts.examples if e.label != "neutral"),
        "ece_raw": round(ece(torch.softmax(logits, dim=1), truth), 4),
        "ece": round(ece(calibrated, truth), 4),
        "encoder_accuracy": round(binary_accuracy(parts.encoder, parts.examples)[0], 4),
        "ngrams_accuracy": round(binary_accuracy(parts.ngrams, parts.examples)[0], 4),
    }
    if any(e.label == "neutral" for e in parts.examples):
        guess = [LABELS[int(i)] for i in calibrated.argmax(dim=1)]
        out["three_class"] = three_class([e.label for e in parts.examples], guess)
        out["ece_per_class"] = dict(zip(LABELS, classwise_ece(calibrated, truth), strict=True))
    return out
