"""The trained sentiment model (``models/``) as the daemon's scorer.

``model: {type: transformer}`` loads the model shipped in ``models/sentiment/``;
``path`` selects any other model directory written by ``python -m models.train``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field

from listener.domain import Score
from listener.scorers.base import ScorerConfig, ScorerPlugin
from listener.textfold import model_form


class TransformerScorerConfig(ScorerConfig):
    type: Literal["transformer"] = "transformer"
    path: Path | None = None
    """A model directory; None: the shipped model."""
    threads: int = Field(default=2, ge=1, le=64)
    """Intra-op threads for scoring (ONNX Runtime or torch)."""
    batch_size: int = Field(default=32, ge=1, le=1024)
    runtime: Literal["auto", "onnx", "torch"] = "auto"
    """auto: ONNX Runtime where the model directory has model.onnx (no torch in the
    daemon: less memory, faster), else torch."""
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    """With the torch runtime. auto: bf16 where the CPU computes it natively, else fp32."""


class TransformerScorer(ScorerPlugin):
    Config = TransformerScorerConfig

    def __init__(self, config: ScorerConfig) -> None:
        from models import load_scorer

        assert isinstance(config, TransformerScorerConfig)
        self.model = load_scorer(
            config.path, config.threads, config.precision, config.batch_size, config.runtime
        )
        self.version = self.model.version

    def score(
        self, texts: Sequence[str], targets: Sequence[str | None] | None = None
    ) -> list[Score]:
        folded = [model_form(t) if t else None for t in targets] if targets is not None else None
        return self.model.score([model_form(t) for t in texts], folded)  # the same form
