"""The sentiment model at inference: a small BERT encoder with a 3-class head.

A model directory holds ``config.json`` + ``model.safetensors`` (transformers'
``save_pretrained``), the same graph exported as ``model.onnx``, ``tokenizer.json``
and ``calibration.json`` (the temperature fitted on the dev split, the label order,
the version). ``SentimentModel.score`` batches by length (sorted, so a batch pads
little) and turns temperature-scaled logits into calibrated probabilities. Where
``calibration.json`` gives an ``ngram_weight``, the logits of the n-gram model in
``ngrams.npz`` (``models.ngrams``, numpy only) are added first.

Two runtimes, same numbers: ONNX Runtime (the default where ``model.onnx`` exists:
no torch in the process — about 140 MB resident instead of 1.1 GB with PyPI's torch
build — and faster on this CPU) or torch (``torch.inference_mode``, bf16 autocast
where the CPU computes bf16 natively). Dynamic int8 quantisation was measured too,
but torch 2.15 deprecates its quantized tensors: not offered.

Long posts keep their head and their tail (complaints often end with the verdict):
the first ``HEAD`` tokens and the last ``max_length - HEAD - 2``.

Polarity toward a target: ``score(texts, targets)`` gives, per text, the brand (or
entity) the mention is about, and the encoder reads ``[CLS] target [SEP] text [SEP]``
(at most ``TARGET_TOKENS`` of the target), with the target's occurrences in the text
between the entity markers ``[T]`` … ``[/T]``; ``None`` or ``""`` reads ``[CLS] text [SEP]``.
The model was fine-tuned on both forms (stance and entity-level rows carry their
target), so a post that praises a rival while mocking the brand can be negative for
the brand and positive for the rival. The n-gram half reads the text alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from tokenizers import Tokenizer

from listener.domain import SENTIMENT_LABELS, Score, SentimentLabel
from models.ngrams import FILE as NGRAMS
from models.ngrams import NgramModel

Precision = Literal["auto", "fp32", "bf16"]
Runtime = Literal["auto", "onnx", "torch"]
ONNX = "model.onnx"
HEAD = 48
TARGET_TOKENS = 12
CHUNK = 4096
PAD_ID = 0


class ModelError(Exception):
    """A model directory is missing or unreadable; the message names it."""


@dataclass(frozen=True)
class Calibration:
    temperature: float
    labels: tuple[SentimentLabel, ...]
    version: str
    max_length: int
    ngram_weight: float = 0.0  # > 0: the n-gram model's logits are added (models.ngrams)
    bias: tuple[float, ...] = ()
    """Per-class offsets added after the temperature (fitted on dev with the classes
    weighed equally: the priors of a balanced three-class mix); () for none."""

    def calibrated(self, logits: np.ndarray) -> np.ndarray:
        scaled = logits / self.temperature
        return scaled + np.asarray(self.bias, dtype=np.float32) if self.bias else scaled

    @classmethod
    def read(cls, path: Path) -> Calibration:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            temperature=float(raw["temperature"]),
            labels=tuple(checked_label(label) for label in raw["labels"]),
            version=str(raw["version"]),
            max_length=int(raw["max_length"]),
            ngram_weight=float(raw.get("ngram_weight", 0.0)),
            bias=tuple(float(b) for b in raw.get("bias", ())),
        )

    def write(self, path: Path) -> None:
        path.write_text(
            json.dumps(
                {
                    "temperature": self.temperature,
                    "labels": list(self.labels),
                    "version": self.version,
                    "max_length": self.max_length,
                    "ngram_weight": self.ngram_weight,
                    "bias": list(self.bias),
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )


def checked_label(value: object) -> SentimentLabel:
    for label in SENTIMENT_LABELS:
        if value == label:
            return label
    raise ModelError(f"unknown label {value!r} in calibration.json")


def bf16_native() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX); else bf16 is slower."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


MARKERS = ("[T]", "[/T]")
"""Around each occurrence of the target in the text (entity markers): the small encoder
sees *where* the brand is, not only which brand it is. A tokenizer without them (older
models) reads the target prefix alone."""


@dataclass(frozen=True)
class Specials:
    cls: int
    sep: int
    markers: tuple[int, int] | None
    stripped: frozenset[int]
    """Never taken from a post's text: a post that writes "[SEP]" or "[T]" cannot fake
    the target."""


def specials(tokenizer: Tokenizer) -> Specials:
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    if cls is None or sep is None:
        raise ModelError("the tokenizer has no [CLS] or [SEP] token")
    opening, closing = (tokenizer.token_to_id(m) for m in MARKERS)
    markers = (opening, closing) if opening is not None and closing is not None else None
    found = {tokenizer.token_to_id(t) for t in ("[PAD]", "[CLS]", "[SEP]", "[MASK]", *MARKERS)}
    return Specials(cls, sep, markers, frozenset(i for i in found if i is not None))


def add_markers(tokenizer: Tokenizer) -> None:
    """Give a tokenizer the entity markers (training: the embeddings grow by two rows)."""
    tokenizer.add_special_tokens(list(MARKERS))


def _spans(text: str, target: str, most: int = 4) -> list[tuple[int, int]]:
    """Where ``target`` occurs in ``text`` (case-insensitive), in characters."""
    if not target or len(text.casefold()) != len(text):
        return []
    haystack, needle = text.casefold(), target.casefold()
    found: list[tuple[int, int]] = []
    at = haystack.find(needle)
    while at >= 0 and len(found) < most:
        found.append((at, at + len(needle)))
        at = haystack.find(needle, at + len(needle))
    return found


def _token_ids(
    tokenizer: Tokenizer,
    texts: list[str],
    special: Specials,
    targets: Sequence[str] | None = None,
) -> list[list[int]]:
    """Ids without specials; with ``targets`` and a tokenizer that has them, the entity
    markers around each occurrence of the text's target."""
    out = []
    for start in range(0, len(texts), CHUNK):  # bounded memory: encodings carry offsets too
        chunk = texts[start : start + CHUNK]
        for n, encoding in enumerate(tokenizer.encode_batch(chunk, add_special_tokens=False)):
            spans = _spans(chunk[n], targets[start + n]) if targets and special.markers else []
            ids: list[int] = []
            current: int | None = None  # the span the last token was in
            for token, (begin, finish) in zip(encoding.ids, encoding.offsets, strict=True):
                if token in special.stripped:
                    continue
                span = next((k for k, (a, b) in enumerate(spans) if begin < b and finish > a), None)
                if span != current and special.markers:
                    if current is not None:
                        ids.append(special.markers[1])
                    if span is not None:
                        ids.append(special.markers[0])
                    current = span
                ids.append(token)
            if current is not None and special.markers:
                ids.append(special.markers[1])
            out.append(ids)
    return out


def encode(
    tokenizer: Tokenizer,
    texts: list[str],
    max_length: int,
    targets: Sequence[str | None] | None = None,
) -> list[list[int]]:
    """Token ids ``[CLS] (target [SEP])? text [SEP]``, the target's occurrences in the text
    between ``[T]``/``[/T]`` (where the tokenizer has them); a long text keeps its head
    and its tail."""
    special = specials(tokenizer)
    if targets is not None and len(targets) != len(texts):
        raise ValueError(f"{len(targets)} targets for {len(texts)} texts")
    marked = [t or "" for t in targets] if targets is not None else [""] * len(texts)
    distinct = sorted(set(marked) - {""})
    target_ids = dict(zip(distinct, _token_ids(tokenizer, distinct, special), strict=True))
    ids = []
    for tokens, target in zip(_token_ids(tokenizer, texts, special, marked), marked, strict=True):
        prefix = target_ids.get(target, [])[:TARGET_TOKENS]
        lead = [special.cls, *prefix, special.sep] if prefix else [special.cls]
        body = max_length - len(lead) - 1
        head = min(HEAD, body // 2)
        kept = (
            tokens if len(tokens) <= body else tokens[:head] + tokens[len(tokens) - (body - head) :]
        )
        ids.append([*lead, *kept, special.sep])
    return ids


def text_ids(ids: Sequence[int], special: Specials) -> list[int]:
    """The text's own ids in an encoded input, without markers (what the n-gram half
    reads)."""
    sep = special.sep
    first = ids.index(sep)
    body = ids[first + 1 : -1] if first < len(ids) - 1 else ids[1:-1]
    return [i for i in body if i not in special.stripped]


def pad(batch: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Input ids and attention mask (int64), padded to the longest in the batch."""
    width = max(len(ids) for ids in batch)
    input_ids = np.full((len(batch), width), PAD_ID, dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = ids
        mask[row, : len(ids)] = 1
    return input_ids, mask


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True))


class SentimentModel:
    def __init__(
        self,
        path: Path,
        threads: int = 2,
        precision: Precision = "auto",
        batch_size: int = 32,
        runtime: Runtime = "auto",
    ) -> None:
        try:
            self.calibration = Calibration.read(path / "calibration.json")
            self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            self.ngrams = (
                NgramModel.load(path / NGRAMS) if self.calibration.ngram_weight > 0 else None
            )
        except Exception as exc:  # tokenizers raises a bare Exception; json/KeyError too
            raise ModelError(f"cannot load the sentiment model from {path}: {exc}") from exc
        if runtime == "auto":
            runtime = "onnx" if (path / ONNX).exists() else "torch"
        self.runtime: Runtime = runtime
        self.batch_size = batch_size
        self.version = self.calibration.version
        self._index = {label: self.calibration.labels.index(label) for label in SENTIMENT_LABELS}
        self._logits = (
            _onnx(path, threads) if runtime == "onnx" else _torch(path, threads, precision)
        )

    def probabilities(
        self, texts: list[str], targets: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """Calibrated class probabilities, one row per text, in the model's label order."""
        ids = encode(self.tokenizer, texts, self.calibration.max_length, targets)
        special = specials(self.tokenizer)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), len(self.calibration.labels)), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            logits = self._logits(*pad([ids[i] for i in rows]))
            if self.ngrams is not None:
                wide = self.ngrams.logits([text_ids(ids[i], special) for i in rows])
                logits = logits + self.calibration.ngram_weight * wide
            out[rows] = softmax(self.calibration.calibrated(logits))
        return out

    def score(self, texts: list[str], targets: Sequence[str | None] | None = None) -> list[Score]:
        """One Score per text; ``targets`` (one per text, or None): the brand each text is
        scored toward."""
        if not texts:
            return []
        neg, pos = self._index["negative"], self._index["positive"]
        scores = []
        for row in self.probabilities(texts, targets).tolist():
            best = max(range(len(row)), key=row.__getitem__)
            scores.append(
                Score(
                    label=self.calibration.labels[best],
                    negative=round(min(1.0, max(0.0, row[neg])), 6),
                    positive=round(min(1.0, max(0.0, row[pos])), 6),
                    model_version=self.version,
                )
            )
        return scores


Logits = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _onnx(path: Path, threads: int) -> Logits:
    """ONNX Runtime on the exported graph: no torch in the process (small, fast)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(
            str(path / ONNX), options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ModelError(f"cannot load {path / ONNX}: {exc}") from exc

    def run(input_ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        (logits,) = session.run(["logits"], {"input_ids": input_ids, "attention_mask": mask})
        return np.asarray(logits, dtype=np.float32)

    return run


def _torch(path: Path, threads: int, precision: Precision) -> Logits:
    """transformers + torch: the training graph itself, bf16 autocast where native."""
    try:
        import torch
        from transformers import BertForSequenceClassification
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:
        raise ModelError(
            f"the torch runtime needs torch and transformers ({exc.name} is not installed): "
            "install listener[train], or use runtime onnx (the default where model.onnx exists)"
        ) from None

    transformers_logging.disable_progress_bar()  # no progress bars in the daemon's log
    try:
        model = BertForSequenceClassification.from_pretrained(str(path))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load the sentiment model from {path}: {exc}") from exc
    torch.set_num_threads(threads)
    model.eval()
    bf16 = precision == "bf16" or (precision == "auto" and bf16_native())

    def run(input_ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(
                input_ids=torch.from_numpy(input_ids), attention_mask=torch.from_numpy(mask)
            ).logits
        return np.asarray(logits.float().numpy())

    return run
