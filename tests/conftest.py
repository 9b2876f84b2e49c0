from __future__ import annotations

import gc
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from listener.config.loader import load_config
from listener.config.models import Config
from tests.captures import captures_root

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML (dedented) to a config file in tmp_path; data_dir defaults into tmp_path."""

    def write(text: str, name: str = "listener.yml") -> Path:
        body = textwrap.dedent(text)
        if "data_dir" not in body and "daemon:" not in body:
            body = f"daemon:\n  data_dir: {tmp_path / 'data'}\n  http: {{port: 0}}\n" + body
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        return path

    return write


@pytest.fixture
def config_for(write_config: Callable[[str], Path]) -> Callable[[str], Config]:
    def build(text: str) -> Config:
        return load_config(write_config(text))

    return build


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect after each test so a leaked socket or file is blamed on the test that leaked it."""
    yield
    gc.collect()


@pytest.fixture(scope="session")
def captures() -> Path:
    """``../shared/captures`` (fails, saying where it looked, when absent)."""
    return captures_root()


@pytest.fixture
def capture(captures: Path) -> Callable[[str], bytes]:
    def read(name: str) -> bytes:
        return (captures / name).read_bytes()

    return read
