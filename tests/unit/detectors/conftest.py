from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from listener.detectors.base import DetectContext
from listener.stats.series import BucketSeries
from listener.stores.base import Store

MakeContext = Callable[..., DetectContext]


@pytest.fixture
def make_context() -> MakeContext:
    """A pass's context over a real store; one BucketSeries lives across calls, as in the App."""
    series = BucketSeries(timedelta(minutes=5), timedelta(days=7))

    def make(
        store: Store, now: datetime, brands: tuple[str, ...] = ("小米", "蔚来")
    ) -> DetectContext:
        return DetectContext.prepare(store, now, brands, series)

    return make
