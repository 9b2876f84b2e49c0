"""The real platform responses in ``../shared/captures/`` (beside the clone, not in it:
they are other people's posts). Tests that need them fail loudly when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CAPTURES = Path(
    os.environ.get("LISTENER_CAPTURES", Path(__file__).resolve().parents[2] / "shared" / "captures")
)


def captures_root() -> Path:
    if not (CAPTURES / "MANIFEST.md").is_file():
        pytest.fail(
            f"the captured platform responses are missing: expected {CAPTURES}/MANIFEST.md "
            "(CI places shared/ beside the clone; set LISTENER_CAPTURES to point elsewhere)"
        )
    return CAPTURES
