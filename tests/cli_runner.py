"""Run the ``listener`` command (or any ``python -m`` entry point) as a user would: a real
process, its exit code and output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def listener(
    *args: str, config: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    options = ["--config", str(config)] if config is not None else []
    return module("listener", *options, *args, timeout=timeout)


def module(
    name: str, *args: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m NAME ARGS`` from the repository, with a plain environment."""
    return subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-m", name, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TERM": "dumb", **(env or {})},
    )
