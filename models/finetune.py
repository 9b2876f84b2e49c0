"""Step 3 of ``models.train``: fine-tuning on the labelled train split (the best dev epoch
kept), and the ONNX export of the result."""

from __future__ import annotations

import math
import random
import time
from pathlib import Path

import torch
from torch import nn
from transformers import BertForMaskedLM, BertForSequenceClassification

from models.data import (
    DOMAINS,
    Example,
)
from models.evaluate import three_class
from models.measure import LABELS, binary_accuracy, log, logits_of, tensors
from models.pretrain import Hyper


def dev_score(logits: torch.Tensor, examples: list[Example]) -> float:
    """What chooses the epoch, per domain: three-class macro-F1 where the domain has
    neutral examples, else binary accuracy."""
    if any(e.label == "neutral" for e in examples):
        guess = [LABELS[int(i)] for i in logits.argmax(dim=1)]
        f1 = three_class([e.label for e in examples], guess)["macro_f1"]
        assert isinstance(f1, float)
        return f1
    return binary_accuracy(logits, examples)[0]


def batches(
    ids: list[list[int]], labels: list[int], size: int, rng: random.Random
) -> list[list[int]]:
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]) + rng.random())
    chunks = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(chunks)
    return chunks


def finetune(
    hyper: Hyper,
    encoder: BertForMaskedLM | BertForSequenceClassification,
    train: list[Example],
    dev: list[Example],
    encoded: dict[tuple[str, str], list[int]],
) -> tuple[BertForSequenceClassification, list[dict[str, float]]]:
    """From a pre-trained encoder (a new head), or from a fine-tuned model (its head kept:
    fine-tuning continues)."""
    if isinstance(encoder, BertForSequenceClassification):
        model = encoder
    else:
        config = encoder.config
        config.num_labels = len(LABELS)
        config.id2label = {i: str(label) for i, label in enumerate(LABELS)}
        config.label2id = {str(label): i for i, label in enumerate(LABELS)}
        model = BertForSequenceClassification(config)
        model.bert.load_state_dict(encoder.bert.state_dict(), strict=False)
    rng = random.Random(hyper.seed)

    def times(e: Example) -> int:
        if e.entity:
            return hyper.entity_oversample
        return hyper.weibo_oversample if e.domain == "weibo" else 1

    rows = [e for e in train for _ in range(times(e))]
    ids = [encoded[e.key] for e in rows]
    labels = [LABELS.index(e.label) for e in rows]
    dev_ids = [encoded[e.key] for e in dev]
    optimizer = torch.optim.AdamW(model.parameters(), lr=hyper.finetune_lr, weight_decay=0.01)
    steps = hyper.epochs * math.ceil(len(ids) / hyper.finetune_batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=hyper.finetune_lr, total_steps=steps, pct_start=0.1
    )
    best: tuple[float, dict[str, torch.Tensor]] | None = None
    history = []
    model.train()
    for epoch in range(hyper.epochs):
        started = time.monotonic()
        chunks = batches(ids, labels, hyper.finetune_batch, rng)
        for step, chunk in enumerate(chunks, 1):
            if step % 500 == 0:
                log(f"epoch {epoch + 1}: batch {step:,} of {len(chunks):,}")
            input_ids, mask = tensors([ids[i] for i in chunk])
            target = torch.tensor([labels[i] for i in chunk])
            loss = nn.functional.cross_entropy(
                model(input_ids=input_ids, attention_mask=mask).logits, target
            )
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
        logits = logits_of(model, dev_ids)
        scores = {
            d: dev_score(
                logits[[i for i, e in enumerate(dev) if e.domain == d]],
                [e for e in dev if e.domain == d],
            )
            for d in DOMAINS
            if any(e.domain == d for e in dev)
        }
        mean = sum(scores.values()) / len(scores)
        history.append({"epoch": epoch + 1, **{f"dev_{d}": round(a, 4) for d, a in scores.items()}})
        log(f"epoch {epoch + 1}: dev {scores} ({time.monotonic() - started:.0f} s)")
        if best is None or mean > best[0]:
            best = (mean, {k: v.clone() for k, v in model.state_dict().items()})
    assert best is not None
    model.load_state_dict(best[1])
    model.eval()
    return model, history


def export_onnx(model: BertForSequenceClassification, path: Path) -> None:
    """The fine-tuned graph for ONNX Runtime (dynamic batch and length)."""

    class Logits(nn.Module):
        def __init__(self, inner: BertForSequenceClassification) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            logits: torch.Tensor = self.inner(
                input_ids=input_ids, attention_mask=attention_mask
            ).logits
            return logits

    example = tensors([[2, 10, 11, 3], [2, 12, 3]])
    torch.onnx.export(
        Logits(model).eval(),
        example,
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "length"},
            "attention_mask": {0: "batch", 1: "length"},
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
