"""Indexing: drain the spool into the store (the enrich worker), with the store's schema
in place first, and the spool's depth in the metrics."""

from __future__ import annotations

import threading

from listener.enrich_worker import EnrichWorker
from listener.metrics import Metrics
from listener.spool import Spool
from listener.stores.base import Store, StoreUnavailable


class Indexing:
    def __init__(
        self, store: Store, spool: Spool, worker: EnrichWorker, metrics: Metrics, ready: bool
    ) -> None:
        self.store = store
        self.spool = spool
        self.worker = worker
        self.metrics = metrics
        self.ready = ready
        """False until the store's schema/templates are in place (it was down at start)."""

    @property
    def store_healthy(self) -> bool:
        return self.ready and self.worker.store_healthy

    def index(self, stop: threading.Event | None = None) -> int:
        """Index what the spool holds now; returns how many mentions."""
        if not self.ready:
            try:
                self.store.setup()  # templates first: no document may land unmapped
                self.ready = True
            except StoreUnavailable:
                self.metrics.store_up.set(0)
                return 0
        indexed = self.worker.drain(stop)
        for state, value in self.spool.depth().as_dict().items():
            self.metrics.spool_depth.labels(state).set(value)
        self.metrics.store_up.set(1 if self.worker.store_healthy else 0)
        return indexed
