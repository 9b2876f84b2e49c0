from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from listener.spool import Hold, NoSpool, Spool, SpoolError, open_existing
from tests.factories import mention

LEASE = timedelta(seconds=30)


@pytest.fixture
def spool(tmp_path: Path) -> Iterator[Spool]:
    with Spool(tmp_path / "spool.sqlite3") as handle:
        yield handle


def test_put_claim_ack(spool: Spool) -> None:
    assert spool.put_many([mention(str(i)) for i in range(5)]) == 5
    batch = spool.claim(3, LEASE)
    assert [e.mention.id for e in batch] == ["weibo:0", "weibo:1", "weibo:2"]
    assert all(e.attempts == 1 for e in batch)
    assert spool.depth().pending == 2 and spool.depth().claimed == 3
    spool.ack([e.seq for e in batch])
    rest = spool.claim(10, LEASE)
    assert [e.mention.id for e in rest] == ["weibo:3", "weibo:4"]
    spool.ack([e.seq for e in rest])
    assert spool.depth().total == 0


def test_claimed_entries_are_not_handed_out_twice_within_the_lease(spool: Spool) -> None:
    spool.put_many([mention("1")])
    assert len(spool.claim(10, LEASE)) == 1
    assert spool.claim(10, LEASE) == []


def test_expired_lease_redelivers(spool: Spool) -> None:
    spool.put_many([mention("1"), mention("2")])
    first = spool.claim(10, timedelta(milliseconds=50))
    time.sleep(0.1)
    again = spool.claim(10, LEASE)
    assert [e.mention.id for e in again] == [e.mention.id for e in first]
    assert [e.attempts for e in again] == [2, 2]


def test_release_delays_the_retry(spool: Spool) -> None:
    spool.put_many([mention("1")])
    [entry] = spool.claim(1, LEASE)
    spool.release({entry.seq: "store down"}, timedelta(milliseconds=100))
    assert spool.claim(1, LEASE) == []
    assert spool.depth().delayed == 1
    time.sleep(0.15)
    assert [e.mention.id for e in spool.claim(1, LEASE)] == ["weibo:1"]


def test_unreadable_payload_is_set_aside_not_lost(spool: Spool, tmp_path: Path) -> None:
    spool.put_many([mention("1"), mention("2")])
    with sqlite3.connect(tmp_path / "spool.sqlite3") as db:
        db.execute("UPDATE spool SET payload = '{broken' WHERE mention_id = 'weibo:1'")
    batch = spool.claim(10, LEASE)
    assert [e.mention.id for e in batch] == ["weibo:2"]
    assert spool.depth().dead == 1
    [(_, mention_id, reason)] = spool.dead_letters()
    assert mention_id == "weibo:1" and "unreadable payload" in reason


def test_a_file_that_is_not_a_spool_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"this is not a database" * 100)
    with pytest.raises(SpoolError, match=r"cannot open spool .*bogus\.sqlite3"):
        Spool(bogus)


def test_open_existing_does_not_create(tmp_path: Path) -> None:
    with pytest.raises(SpoolError, match="no spool at"):
        open_existing(tmp_path / "missing.sqlite3")
    assert not (tmp_path / "missing.sqlite3").exists()


def test_count_by_source(spool: Spool) -> None:
    spool.put_many([mention("1", source="a"), mention("2", source="b"), mention("3", source="a")])
    assert spool.count_by_source("a") == 2


def test_only_entries_held_for_the_cause_that_ended_come_back_at_once(spool: Spool) -> None:
    spool.put_many([mention("down"), mention("rejected")])
    down, rejected = spool.claim(2, LEASE)
    spool.release({down.seq: "connection refused"}, timedelta(hours=1), Hold.STORE_DOWN)
    spool.release({rejected.seq: "mapper_parsing_exception"}, timedelta(hours=1))
    assert spool.retry_now(Hold.STORE_DOWN) == 1
    assert [e.mention.id for e in spool.claim(10, LEASE)] == ["weibo:down"]
    assert spool.depth().delayed == 1  # the rejected document keeps its own delay


def test_a_spool_written_before_hold_causes_opens_and_keeps_its_entries(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with Spool(path) as handle:
        handle.put_many([mention("1")])
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE spool DROP COLUMN held_for")
    db.commit()
    db.close()
    with Spool(path) as handle:
        [entry] = handle.claim(1, LEASE)
        handle.release({entry.seq: "down"}, timedelta(hours=1), Hold.STORE_DOWN)
        assert handle.retry_now(Hold.STORE_DOWN) == 1


def test_inspecting_a_missing_spool_says_so(tmp_path: Path) -> None:
    with pytest.raises(NoSpool, match="no spool at"):
        open_existing(tmp_path / "absent.sqlite3")
    assert issubclass(NoSpool, SpoolError)
