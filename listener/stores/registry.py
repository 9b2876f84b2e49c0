"""The stores shipped with Listener: the only list of them (``storage.type`` in the config)."""

from __future__ import annotations

from listener.plugin import Registry
from listener.stores.base import Store
from listener.stores.elasticsearch import ElasticsearchStore
from listener.stores.sqlite import SqliteStore

STORES: Registry[Store] = Registry("store", Store, "type", [SqliteStore, ElasticsearchStore])
