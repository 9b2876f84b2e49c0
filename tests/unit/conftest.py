from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from listener.stores.sqlite import SqliteStore


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "store.sqlite3")
    store.setup()
    yield store
    store.close()
