"""Step 2 of ``models.train``: the hyper-parameters, and masked-language pre-training of the
encoder for a wall-time budget (continued across runs, the total recorded)."""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn
from transformers import BertConfig, BertForMaskedLM

from models.measure import log, tensors


@dataclass
class Hyper:
    layers: int = 4
    hidden: int = 128
    heads: int = 2
    intermediate: int = 512
    vocab_size: int = 8000
    max_length: int = 128
    pretrain_length: int = 64
    pretrain_batch: int = 128
    pretrain_lr: float = 1e-3
    pretrain_minutes: float = 25.0
    mask_rate: float = 0.15
    finetune_batch: int = 32
    finetune_lr: float = 3e-4
    epochs: int = 3
    weibo_oversample: int = 2
    reviews_sample: int | None = None
    """A seeded sample of this many review rows (None: all of them)."""
    entity_oversample: int = 1
    """Rows with a target (stance, entity-level, comparisons) seen this many times an epoch."""
    brand_tagged: int = 3000
    """Per class, train rows tagged with a brand as their target (``augment.brand_tagged``)."""
    weak_neutral: int = 6000
    """News headlines/newsflashes added as weak neutral rows (``data.weak_neutral``)."""
    seed: int = 13
    threads: int = 2


@dataclass
class Pretraining:
    """What an encoder has been through (``pretraining.json`` beside it)."""

    minutes: float = 0.0
    steps: int = 0
    texts: int = 0

    @classmethod
    def read(cls, directory: Path) -> Pretraining:
        path = directory / PRETRAINING
        return cls(**json.loads(path.read_text())) if path.exists() else cls()

    def write(self, directory: Path) -> None:
        (directory / PRETRAINING).write_text(json.dumps(asdict(self)) + "\n")


PRETRAINING = "pretraining.json"


def pretrain(
    hyper: Hyper,
    ids: list[list[int]],
    vocab: int,
    mask_id: int,
    model: BertForMaskedLM | None = None,
    done: Pretraining | None = None,
) -> tuple[BertForMaskedLM, Pretraining]:
    """MLM for ``hyper.pretrain_minutes`` of wall time, from scratch or continuing
    ``model`` (after ``done``: the batch order then starts from another seed, so a
    continued run does not replay the texts the first one began with)."""
    done = done or Pretraining()
    if model is None:
        model = BertForMaskedLM(
            BertConfig(
                vocab_size=vocab,
                hidden_size=hyper.hidden,
                num_hidden_layers=hyper.layers,
                num_attention_heads=hyper.heads,
                intermediate_size=hyper.intermediate,
                max_position_embeddings=hyper.max_length,
                pad_token_id=0,
            )
        )
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=hyper.pretrain_lr, weight_decay=0.01)
    deadline = time.monotonic() + hyper.pretrain_minutes * 60
    rng = random.Random(hyper.seed + done.steps)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # length buckets
    batches = [
        order[i : i + hyper.pretrain_batch] for i in range(0, len(order), hyper.pretrain_batch)
    ]
    step = seen = 0
    started = time.monotonic()
    while time.monotonic() < deadline:
        rng.shuffle(batches)
        for rows in batches:
            if time.monotonic() >= deadline:
                break
            input_ids, mask = tensors([ids[i] for i in rows])
            chosen = (torch.rand(input_ids.shape) < hyper.mask_rate) & (mask == 1)
            chosen[:, 0] = False  # never [CLS]
            if not chosen.any():
                continue
            labels = input_ids[chosen]
            corrupted = input_ids.clone()
            corrupted[chosen] = mask_id
            hidden = model.bert(input_ids=corrupted, attention_mask=mask).last_hidden_state
            logits = model.cls(hidden[chosen])  # the prediction head on masked positions only
            loss = nn.functional.cross_entropy(logits, labels)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            seen += len(rows)
            if step % 200 == 0:
                rate = seen / (time.monotonic() - started)
                log(
                    f"pretrain step {step}: loss {loss.item():.3f}, "
                    f"{rate:.0f} texts/s, {seen:,} seen"
                )
    log(f"pretrained {step} steps on {seen:,} texts ({seen / max(1, len(ids)):.2f} epochs)")
    total = Pretraining(
        round(done.minutes + (time.monotonic() - started) / 60, 1),
        done.steps + step,
        done.texts + seen,
    )
    log(f"pre-training so far: {total}")
    return model, total
