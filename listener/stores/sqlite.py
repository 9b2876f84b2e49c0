"""The embedded store: one SQLite file, FTS5 trigram full-text search for Chinese.

Used when no Elasticsearch is configured, so the daemon runs on a fresh machine
with no services. FTS5's trigram tokenizer indexes every 3-character substring,
which suits Chinese (no word segmentation needed); terms shorter than three
characters (many brand names: 小米, 蔚来) are matched with ``instr`` on the
casefolded text instead, since the trigram index cannot answer them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import ValidationError

from listener.domain import Incident, Mention, Outage, Score, SourceHealth
from listener.plugin import PluginContext
from listener.sqlitedb import Database
from listener.stores.base import (
    BucketCount,
    BucketQuery,
    MentionQuery,
    SearchPage,
    Store,
    StoreConfig,
    StoreError,
    UpsertReport,
    searchable,
)
from listener.stores.sqlite_sql import (
    MIGRATIONS,
    SCHEMA,
    SCHEMA_VERSION,
    brand_filter,
    epoch,
    field_filters,
    text_filters,
)


def label_of(score: Score | None) -> str | None:
    return score.label if score else None


class SqliteStoreConfig(StoreConfig):
    type: Literal["sqlite"] = "sqlite"
    path: Path | None = None
    """Database file; default ``<daemon.data_dir>/listener.sqlite3``."""


class SqliteStore(Store):
    Config = SqliteStoreConfig

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db = Database(self.path, StoreError, "SQLite store")

    @classmethod
    def from_config(cls, config: StoreConfig, ctx: PluginContext) -> Self:
        assert isinstance(config, SqliteStoreConfig)
        return cls(config.path or ctx.data_dir / "listener.sqlite3")

    def setup(self) -> None:
        """Create the schema, or migrate an older one in place (each step in a transaction)."""
        existed = bool(
            self._db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
        )
        found = (
            self._db.query("SELECT value FROM meta WHERE key = 'schema_version'") if existed else []
        )
        version = int(found[0][0]) if found else SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"SQLite store {self.path} has schema version {version}, newer than this "
                f"listener understands ({SCHEMA_VERSION}); upgrade listener"
            )
        if version < SCHEMA_VERSION:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                with self._db.transaction() as db:
                    for statement in MIGRATIONS[step].split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute(
                        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(step),)
                    )
        self._db.script(SCHEMA)
        with self._db.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )

    def close(self) -> None:
        self._db.close()

    def ping(self) -> None:
        self._db.query("SELECT 1")

    def refresh(self) -> None:
        """SQLite readers see every committed write already."""

    # -- mentions ------------------------------------------------------------------------

    def bulk_upsert(self, mentions: Sequence[Mention]) -> UpsertReport:
        report = UpsertReport()
        with self._db.transaction() as db:
            for m in mentions:
                label = label_of(m.sentiment)
                db.execute(
                    "INSERT INTO mentions (id, platform, source, thread_id, published_at,"
                    " sentiment, engagement_total, search_text, doc)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET platform = excluded.platform,"
                    " source = excluded.source, thread_id = excluded.thread_id,"
                    " published_at = excluded.published_at, sentiment = excluded.sentiment,"
                    " engagement_total = excluded.engagement_total,"
                    " search_text = excluded.search_text, doc = excluded.doc",
                    (
                        m.id,
                        m.platform,
                        m.source,
                        m.thread_id,
                        epoch(m.published_at),
                        label,
                        m.engagement.total,
                        searchable(m),
                        m.model_dump_json(),
                    ),
                )
                db.execute("DELETE FROM mention_brands WHERE mention_id = ?", (m.id,))
                db.executemany(
                    "INSERT INTO mention_brands VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (
                            b,
                            m.id,
                            epoch(m.published_at),
                            m.platform,
                            label_of(m.sentiment_toward(b)),
                            int(bool(m.crisis_terms)),
                        )
                        for b in set(m.brands)
                    ],
                )
                report.indexed.append(m.id)
        return report

    def prune(self, before: datetime) -> int:
        cutoff = epoch(before)
        with self._db.transaction() as db:
            db.execute("DELETE FROM mention_brands WHERE published_at < ?", (cutoff,))
            deleted = db.execute("DELETE FROM mentions WHERE published_at < ?", (cutoff,))
            return int(deleted.rowcount)

    def get(self, mention_id: str) -> Mention | None:
        rows = self._db.query("SELECT doc FROM mentions WHERE id = ?", (mention_id,))
        return Mention.model_validate_json(rows[0][0]) if rows else None

    def _where(self, q: MentionQuery) -> tuple[str, list[Any]]:
        parts = [*text_filters(q.text), *brand_filter(q), *field_filters(q)]
        where = " AND ".join(clause for clause, _ in parts)
        return (f" WHERE {where}" if parts else ""), [p for _, ps in parts for p in ps]

    def search(self, query: MentionQuery) -> SearchPage:
        where, params = self._where(query)
        order = (
            "m.engagement_total DESC, m.published_at DESC"
            if query.order == "engagement"
            else "m.published_at DESC"
        )
        total = self._db.query(f"SELECT COUNT(*) FROM mentions m{where}", params)[0][0]
        rows = self._db.query(
            f"SELECT m.doc FROM mentions m{where} ORDER BY {order}, m.id LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset],
        )
        return SearchPage(int(total), [Mention.model_validate_json(r[0]) for r in rows])

    def count_buckets(self, query: BucketQuery) -> list[BucketCount]:
        size = query.bucket.total_seconds()
        if size <= 0:
            raise StoreError("bucket size must be positive")
        group = "b, brand, sentiment" + (", platform" if query.by_platform else "")
        params: list[Any] = [size, epoch(query.since), epoch(query.until)]
        brand_filter = " AND crisis = 1" if query.crisis_only else ""
        if query.brands:
            brand_filter += f" AND brand IN ({','.join('?' * len(query.brands))})"
            params.extend(query.brands)
        rows = self._db.query(
            f"SELECT CAST(published_at / ?1 AS INTEGER) AS b, brand, sentiment,"
            f" {'platform' if query.by_platform else 'NULL'}, COUNT(*)"
            f" FROM mention_brands WHERE published_at >= ?2 AND published_at < ?3{brand_filter}"
            f" GROUP BY {group} ORDER BY b, brand",
            params,
        )
        return [
            BucketCount(
                start=datetime.fromtimestamp(b * size, UTC),
                brand=brand,
                sentiment=sentiment,
                count=int(count),
                platform=platform,
            )
            for b, brand, sentiment, platform, count in rows
        ]

    # -- per-source state ----------------------------------------------------------------

    def save_source_health(self, health: SourceHealth) -> None:
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO source_health VALUES (?, ?) ON CONFLICT (source) DO UPDATE"
                " SET doc = excluded.doc",
                (health.source, health.model_dump_json()),
            )

    def source_health(self, source: str) -> SourceHealth | None:
        rows = self._db.query("SELECT doc FROM source_health WHERE source = ?", (source,))
        return SourceHealth.model_validate_json(rows[0][0]) if rows else None

    def all_source_health(self) -> list[SourceHealth]:
        rows = self._db.query("SELECT doc FROM source_health ORDER BY source")
        return [SourceHealth.model_validate_json(r[0]) for r in rows]

    def save_outage(self, outage: Outage) -> None:
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO source_outages VALUES (?, ?, ?, ?) ON CONFLICT (source, start)"
                " DO UPDATE SET end_at = excluded.end_at, doc = excluded.doc",
                (
                    outage.source,
                    outage.start.isoformat(),
                    outage.end.isoformat() if outage.end else None,
                    outage.model_dump_json(),
                ),
            )

    def outages(self, since: datetime) -> list[Outage]:
        rows = self._db.query(
            "SELECT doc FROM source_outages WHERE end_at IS NULL OR end_at > ? ORDER BY start",
            (since.astimezone(UTC).isoformat(),),
        )
        return [Outage.model_validate_json(r[0]) for r in rows]

    # -- incidents -----------------------------------------------------------------------

    def save_incident(self, incident: Incident) -> None:
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO incidents VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " brand = excluded.brand, status = excluded.status,"
                " updated_at = excluded.updated_at, doc = excluded.doc",
                (
                    incident.id,
                    incident.brand,
                    incident.status.value,
                    epoch(incident.updated_at),
                    incident.model_dump_json(),
                ),
            )

    def get_incident(self, incident_id: str) -> Incident | None:
        rows = self._db.query("SELECT doc FROM incidents WHERE id = ?", (incident_id,))
        return Incident.model_validate_json(rows[0][0]) if rows else None

    def list_incidents(
        self, *, open_only: bool = False, brand: str | None = None, since: datetime | None = None
    ) -> list[Incident]:
        clauses: list[str] = []
        params: list[Any] = []
        if open_only:
            clauses.append("status != 'resolved'")
        if brand is not None:
            clauses.append("brand = ?")
            params.append(brand)
        if since is not None:
            clauses.append("updated_at >= ?")
            params.append(epoch(since))
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._db.query(f"SELECT doc FROM incidents{where} ORDER BY updated_at DESC", params)
        try:
            return [Incident.model_validate_json(r[0]) for r in rows]
        except ValidationError as exc:
            raise StoreError(f"SQLite store {self.path}: unreadable incident: {exc}") from exc
