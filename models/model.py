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
"""

from __future__ import annotations

import json
from collections.abc import Callable
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

    @classmethod
    def read(cls, path: Path) -> Calibration:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            temperature=float(raw["temperature"]),
            labels=tuple(checked_label(label) for label in raw["labels"]),
            version=str(raw["version"]),
            max_length=int(raw["max_length"]),
            ngram_weight=float(raw.get("ngram_weight", 0.0)),
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


def encode(tokenizer: Tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    """Token ids with [CLS] … [SEP]; a long text keeps its head and its tail."""
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    if cls is None or sep is None:
        raise ModelError("the tokenizer has no [CLS] or [SEP] token")
    body = max_length - 2
    ids = []
    for start in range(0, len(texts), CHUNK):  # bounded memory: encodings carry offsets too
        for encoding in tokenizer.encode_batch(
            texts[start : start + CHUNK], add_special_tokens=False
        ):
            tokens = encoding.ids
            if len(tokens) > body:
                tokens = tokens[:HEAD] + tokens[len(tokens) - (body - HEAD) :]
            ids.append([cls, *tokens, sep])
    return ids


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

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Calibrated class probabilities, one row per text, in the model's label order."""
        ids = encode(self.tokenizer, texts, self.calibration.max_length)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), len(self.calibration.labels)), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            logits = self._logits(*pad([ids[i] for i in rows]))
            if self.ngrams is not None:
                wide = self.ngrams.logits([ids[i][1:-1] for i in rows])  # without [CLS]/[SEP]
                logits = logits + self.calibration.ngram_weight * wide
            out[rows] = softmax(logits / self.calibration.temperature)
        return out

    def score(self, texts: list[str]) -> list[Score]:
        if not texts:
            return []
        neg, pos = self._index["negative"], self._index["positive"]
        scores = []
        for row in self.probabilities(texts).tolist():
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
