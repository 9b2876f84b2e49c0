"""The spool under real crashes: writers and readers are processes killed with SIGKILL."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from listener.spool import Spool
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.spool_actors", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )


def all_ids(path: Path) -> list[str]:
    spool = Spool(path)
    try:
        return [e.mention.id for e in spool.claim(100_000, timedelta(minutes=5))]
    finally:
        spool.close()


def test_killed_writer_leaves_only_whole_committed_batches(tmp_path: Path) -> None:
    path = tmp_path / "spool.sqlite3"
    with start("writer", str(path), "w", "100000", "25") as proc:
        assert proc.stdout is not None
        committed = [int(proc.stdout.readline()) for _ in range(20)]
        proc.kill()
    ids = all_ids(path)
    batches = {i.split("-")[1] for i in ids}
    # every batch reported committed is there, and no batch is there in part
    assert {str(b) for b in committed} <= batches
    assert len(ids) == 25 * len(batches)
    assert len(set(ids)) == len(ids)


def test_several_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "spool.sqlite3"
    Spool(path).close()
    procs = [start("writer", str(path), tag, "40", "10") for tag in ("a", "b", "c")]
    for proc in procs:
        with proc:
            assert proc.wait(timeout=60) == 0
    ids = all_ids(path)
    assert len(ids) == 3 * 40 * 10 == len(set(ids))


def test_reader_killed_between_claim_and_ack_gets_the_batch_redelivered(tmp_path: Path) -> None:
    path = tmp_path / "spool.sqlite3"
    with start("writer", str(path), "r", "3", "10") as writer:
        assert writer.wait(timeout=30) == 0

    with start("reader", str(path), "1.0", "hang") as crashed:
        assert crashed.stdout is not None
        claimed = crashed.stdout.readline().split()
        assert len(claimed) == 30
        crashed.kill()

    # within the lease nobody else gets them; after it, they come back whole
    with start("reader", str(path), "60", "ack") as early:
        assert early.stdout is not None
        assert early.stdout.readline().split() == []
    time.sleep(1.1)
    with start("reader", str(path), "60", "ack") as retry:
        assert retry.stdout is not None
        assert retry.stdout.readline().split() == claimed
        assert retry.stdout.readline().strip() == "acked"
    assert retry.returncode == 0
    assert all_ids(path) == []
