"""The store contract runs against every backend listed in STORE_BACKENDS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from listener.stores.base import Store
from listener.stores.sqlite import SqliteStore

STORE_BACKENDS: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda tmp: SqliteStore(tmp / "store.sqlite3"),
}


@pytest.fixture(params=sorted(STORE_BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    backend = STORE_BACKENDS[request.param](tmp_path)
    backend.setup()
    try:
        yield backend
    finally:
        backend.close()
