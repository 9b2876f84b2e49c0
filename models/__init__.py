"""The Chinese sentiment model (transformers + torch): loading, inference, training.

``load_scorer(path=None)`` loads the model shipped in ``models/sentiment/`` (or any
model directory ``python -m models.train`` wrote) for offline use: nothing is
downloaded. ``python -m models.evaluate`` measures it, ``python -m models.train``
reproduces it. Imports only the shared domain types (``Score``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.model import Precision, Runtime, SentimentModel

SHIPPED = Path(__file__).resolve().parent / "sentiment"


def load_scorer(
    path: Path | str | None = None,
    threads: int = 2,
    precision: Precision = "auto",
    batch_size: int = 32,
    runtime: Runtime = "auto",
) -> SentimentModel:
    """The shipped model (``path=None``) or the model in ``path``; ``scorer.score(texts)``
    gives one ``Score`` per text (label, calibrated ``negative``/``positive``, version).
    ``runtime``: ``onnx`` (default where the directory has ``model.onnx``) or ``torch``."""
    from models.model import SentimentModel  # torch loads only when a model is wanted

    return SentimentModel(Path(path) if path else SHIPPED, threads, precision, batch_size, runtime)
