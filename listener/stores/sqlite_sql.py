"""The embedded store's SQL: schema, migrations, and the Store contract's filters as
WHERE clauses (FTS5 trigram search, the brand table's index)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from listener.stores.base import MentionQuery, split_terms

SCHEMA_VERSION = 2
MIGRATIONS = {
    # 1 → 2: mentions carrying crisis vocabulary are flagged for aggregation
    2: """
ALTER TABLE mention_brands ADD COLUMN crisis INTEGER NOT NULL DEFAULT 0;
UPDATE mention_brands SET crisis = 1 WHERE mention_id IN (
    SELECT id FROM mentions WHERE json_array_length(json_extract(doc, '$.crisis_terms')) > 0);
""",
}
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mentions (
    id               TEXT PRIMARY KEY,
    platform         TEXT NOT NULL,
    source           TEXT NOT NULL,
    thread_id        TEXT,
    published_at     REAL NOT NULL,
    sentiment        TEXT,
    engagement_total INTEGER NOT NULL,
    search_text      TEXT NOT NULL,
    doc              TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_published ON mentions (published_at);
CREATE INDEX IF NOT EXISTS mentions_thread ON mentions (thread_id);
CREATE TABLE IF NOT EXISTS mention_brands (
    brand        TEXT NOT NULL,
    mention_id   TEXT NOT NULL,
    published_at REAL NOT NULL,
    platform     TEXT NOT NULL,
    sentiment    TEXT,
    crisis       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (brand, mention_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mention_brands_time ON mention_brands (published_at, brand);
CREATE INDEX IF NOT EXISTS mention_brands_id ON mention_brands (mention_id);
CREATE VIRTUAL TABLE IF NOT EXISTS mentions_fts USING fts5(
    search_text, content='mentions', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER IF NOT EXISTS mentions_ai AFTER INSERT ON mentions BEGIN
    INSERT INTO mentions_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER IF NOT EXISTS mentions_ad AFTER DELETE ON mentions BEGIN
    INSERT INTO mentions_fts (mentions_fts, rowid, search_text)
    VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER IF NOT EXISTS mentions_au AFTER UPDATE ON mentions BEGIN
    INSERT INTO mentions_fts (mentions_fts, rowid, search_text)
    VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO mentions_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TABLE IF NOT EXISTS source_health (source TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS source_outages (
    source TEXT NOT NULL,
    start TEXT NOT NULL,
    end_at TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (source, start)
);
CREATE TABLE IF NOT EXISTS incidents (
    id         TEXT PRIMARY KEY,
    brand      TEXT NOT NULL,
    status     TEXT NOT NULL,
    updated_at REAL NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_updated ON incidents (updated_at);
"""


def epoch(value: datetime) -> float:
    return value.timestamp()


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


Filter = tuple[str, list[Any]]


def marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def text_filters(text: str) -> list[Filter]:
    """Every term must occur: the trigram index for 3+ characters, ``instr`` below that."""
    return [
        (
            "m.rowid IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?)",
            [_fts_phrase(term)],
        )
        if len(term) >= 3
        else ("instr(m.search_text, ?) > 0", [term])
        for term in split_terms(text)
    ]


def brand_filter(q: MentionQuery) -> list[Filter]:
    """Brands, through the brand table, which repeats time and the sentiment toward each
    brand: its index serves."""
    if not q.brands:
        return []
    inner: list[Filter] = [(f"brand IN ({marks(q.brands)})", list(q.brands))]
    if q.since is not None:
        inner.append(("published_at >= ?", [epoch(q.since)]))
    if q.until is not None:
        inner.append(("published_at < ?", [epoch(q.until)]))
    if q.sentiments:
        inner.append((f"sentiment IN ({marks(q.sentiments)})", list(q.sentiments)))
    where = " AND ".join(c for c, _ in inner)
    return [
        (
            f"m.id IN (SELECT mention_id FROM mention_brands WHERE {where})",
            [p for _, ps in inner for p in ps],
        )
    ]


def field_filters(q: MentionQuery) -> list[Filter]:
    found: list[Filter] = []
    if q.platforms:
        found.append((f"m.platform IN ({marks(q.platforms)})", list(q.platforms)))
    if q.sentiments and not q.brands:  # with brands: toward them (``brand_filter``)
        found.append((f"m.sentiment IN ({marks(q.sentiments)})", list(q.sentiments)))
    if q.since is not None:
        found.append(("m.published_at >= ?", [epoch(q.since)]))
    if q.until is not None:
        found.append(("m.published_at < ?", [epoch(q.until)]))
    if q.min_influence is not None:
        found.append(("json_extract(m.doc, '$.author.influence') >= ?", [q.min_influence]))
    if q.min_reposts is not None:
        found.append(("json_extract(m.doc, '$.engagement.reposts') >= ?", [q.min_reposts]))
    if q.crisis_only:
        found.append(("m.id IN (SELECT mention_id FROM mention_brands WHERE crisis = 1)", []))
    if q.author_ids:
        found.append(
            (f"json_extract(m.doc, '$.author.id') IN ({marks(q.author_ids)})", list(q.author_ids))
        )
    if q.thread_id is not None:
        found.append(("(m.thread_id = ? OR m.id = ?)", [q.thread_id, q.thread_id]))
    return found
