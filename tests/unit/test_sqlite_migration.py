"""A store written by an older listener is migrated in place, data kept."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from listener.stores.base import BucketQuery, MentionQuery
from listener.stores.sqlite import SCHEMA_VERSION, SqliteStore
from tests.factories import T0, mention


def test_schema_v1_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    store = SqliteStore(path)
    store.setup()
    store.bulk_upsert([mention("1", "小米起火", crisis_terms=("起火",)), mention("2")])
    store.close()
    with sqlite3.connect(path) as db:  # turn it back into what version 1 wrote
        db.executescript(
            "CREATE TABLE mb1 AS SELECT brand, mention_id, published_at, platform, sentiment"
            " FROM mention_brands; DROP TABLE mention_brands;"
            " CREATE TABLE mention_brands (brand TEXT NOT NULL, mention_id TEXT NOT NULL,"
            " published_at REAL NOT NULL, platform TEXT NOT NULL, sentiment TEXT,"
            " PRIMARY KEY (brand, mention_id)) WITHOUT ROWID;"
            " INSERT INTO mention_brands SELECT * FROM mb1; DROP TABLE mb1;"
            " UPDATE meta SET value = '1' WHERE key = 'schema_version';"
        )
    store = SqliteStore(path)
    store.setup()
    try:
        assert store.search(MentionQuery()).total == 2
        [row] = store.count_buckets(
            BucketQuery(
                since=T0, until=T0 + timedelta(hours=1), bucket=timedelta(hours=1), crisis_only=True
            )
        )
        assert row.count == 1
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION),)
