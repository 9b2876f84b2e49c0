"""The store contract runs against every backend listed in STORE_BACKENDS: the
embedded SQLite store and a real Elasticsearch node (started by the repo's script)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from listener.stores.base import Store
from listener.stores.elasticsearch import ElasticsearchStore, ElasticsearchStoreConfig
from listener.stores.sqlite import SqliteStore
from tests.elasticsearch_node import elasticsearch_url, unique_prefix


def elasticsearch_store(_: Path) -> Store:
    config = ElasticsearchStoreConfig(url=elasticsearch_url(), index_prefix=unique_prefix())
    return ElasticsearchStore(config)


STORE_BACKENDS: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda tmp: SqliteStore(tmp / "store.sqlite3"),
    "elasticsearch": elasticsearch_store,
}


def drop(store: Store) -> None:
    if isinstance(store, ElasticsearchStore):
        store.destroy()


@pytest.fixture(params=sorted(STORE_BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    backend = STORE_BACKENDS[request.param](tmp_path)
    backend.setup()
    try:
        yield backend
    finally:
        drop(backend)
        backend.close()
