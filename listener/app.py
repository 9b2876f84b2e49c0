"""The daemon's services, wired from one Config.

Each service is built on first use, with only what it needs, so a command builds only
what it uses: ``listener digest --text`` opens the store and never loads the sentiment
model; ``listener crawl`` never builds the notifiers unless a source changes state.

- ``collection``: one crawl of one source and its bookkeeping (``listener.collection``);
- ``indexing``: spool → sentiment → store (``listener.indexing``);
- ``detection``: detectors → incidents → queued announcements (``listener.detection``);
- ``deliveries``: the outbox and the notifiers (``listener.delivery``);
- ``digests``: the daily digest per group (``listener.digest``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from alerts.base import ActionListener, Notifier
from listener.collection import Collection
from listener.config.models import Config
from listener.crawling import CrawlRunner
from listener.delivery import Deliveries
from listener.detection import Detection
from listener.digest import Digests
from listener.enrich_worker import EnrichWorker
from listener.indexing import Indexing
from listener.logs import get_logger
from listener.metrics import Metrics
from listener.outbox import NotifierState, Outbox
from listener.plugins import (
    build_detectors,
    build_enrichers,
    build_notifiers,
    build_scorer,
    build_store,
)
from listener.routing import Router
from listener.spool import Spool
from listener.stores.base import Store, StoreUnavailable

log = get_logger(__name__)


class App:
    def __init__(
        self,
        config: Config,
        notifiers: Mapping[str, Notifier] | None = None,
        routed: bool = False,
    ) -> None:
        """``notifiers``: use these instead of the configured ones (backtests, tests);
        ``routed``: they stand in for the configured ones of the same names, so the
        configured routes apply to them (a dry run); otherwise each hears everything."""
        self.config = config
        self._given_notifiers = notifiers
        self._routed = routed or notifiers is None
        self.store_ready = True
        """False when the store was down at start (collection goes on into the spool)."""

    @classmethod
    def build(
        cls,
        config: Config,
        notifiers: Mapping[str, Notifier] | None = None,
        routed: bool = False,
    ) -> App:
        return cls(config, notifiers, routed)

    # -- shared components ---------------------------------------------------------------

    @cached_property
    def metrics(self) -> Metrics:
        return Metrics()

    @cached_property
    def store(self) -> Store:
        store = build_store(self.config)
        try:
            store.setup()
        except StoreUnavailable as exc:
            self.store_ready = False  # collect into the spool now; index once it answers
            log.warning("store unavailable at start; collecting into the spool", error=str(exc))
        return store

    @cached_property
    def spool(self) -> Spool:
        return Spool(self.config.spool_path)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self.config.outbox_path)

    @cached_property
    def notifiers(self) -> dict[str, Notifier]:
        if self._given_notifiers is not None:
            return dict(self._given_notifiers)
        return build_notifiers(self.config, lambda name: NotifierState(self.outbox, name))

    @cached_property
    def router(self) -> Router:
        return Router(
            self.config.routing if self._routed else [],
            self.notifiers,
            self.config.teams,
        )

    # -- services ------------------------------------------------------------------------

    @cached_property
    def deliveries(self) -> Deliveries:
        return Deliveries(self.outbox, self.notifiers, self.config.outbox, self.metrics)

    @cached_property
    def collection(self) -> Collection:
        grace = self.config.daemon.shutdown_grace.total_seconds()
        return Collection(
            self.config, self.store, CrawlRunner(grace), lambda: self.deliveries, self.metrics
        )

    @cached_property
    def indexing(self) -> Indexing:
        store = self.store
        worker = EnrichWorker(
            self.spool,
            store,
            build_scorer(self.config),
            self.config.spool,
            build_enrichers(self.config),
            self.metrics,
        )
        return Indexing(store, self.spool, worker, self.metrics, ready=self.store_ready)

    @cached_property
    def detection(self) -> Detection:
        return Detection(
            self.config,
            self.store,
            build_detectors(self.config),
            self.router,
            self.deliveries,
            self.metrics,
        )

    @cached_property
    def digests(self) -> Digests:
        brands = tuple(b.name for b in self.config.brands)
        return Digests(
            self.config.digest,
            brands,
            self.store,
            lambda: self.deliveries,
            self.config.daemon.language,
        )

    def action_listeners(self) -> list[ActionListener]:
        """People's clicks on the notifiers' buttons, recorded by detection."""
        return self.deliveries.listeners(self.detection.act)

    def close(self) -> None:
        """Close what was built (nothing else is opened just to be closed)."""
        built = self.__dict__
        if "deliveries" in built:
            self.deliveries.close()
        elif "notifiers" in built:
            for notifier in self.notifiers.values():
                notifier.close()
        for name in ("outbox", "spool", "store"):
            if name in built:
                built[name].close()
