"""Mentions, incidents and source state in Elasticsearch 8.

Mentions live in monthly indices (``<prefix>-mentions-YYYY.MM``) that an index
template creates on first write, maps explicitly and puts behind the alias
``<prefix>-mentions`` (what Kibana's data view and analysts query). State lives in
``<prefix>-state-incidents``, ``-sources`` and ``-outages``. Templates are
versioned and re-applied by ``setup`` (idempotent). Only core Elasticsearch is used
(the standard analyzer, bool/range/terms/match_phrase queries, composite
aggregations), so the store runs on Elastic's minimal test distribution too.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, Self

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch, helpers
from pydantic import SecretStr

from listener.domain import Mention
from listener.packaged import PackagedFileMissing, packaged_text
from listener.plugin import PluginContext
from listener.stores.base import (
    BucketCount,
    BucketQuery,
    MentionQuery,
    SearchPage,
    Store,
    StoreConfig,
    StoreError,
    StoreUnavailable,
    UpsertReport,
)
from listener.stores.es_query import OVERRIDE, document, iso, mention_from, mention_query
from listener.stores.es_state import StateIndices

MAX_WINDOW = 10_000
"""Elasticsearch's default ``index.max_result_window``."""
PAGE = 5_000


class ElasticsearchStoreConfig(StoreConfig):
    type: Literal["elasticsearch"] = "elasticsearch"
    url: str = "http://127.0.0.1:9200"
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    index_prefix: str = "listener"
    """Every index and template name starts with this."""
    timeout_s: float = 30.0
    verify_certs: bool = True


class ElasticsearchStore(StateIndices, Store):
    Config = ElasticsearchStoreConfig

    def __init__(self, config: ElasticsearchStoreConfig) -> None:
        self.config = config
        self.prefix = config.index_prefix
        auth: dict[str, Any] = {}
        if config.api_key is not None:
            auth["api_key"] = config.api_key.get_secret_value()
        elif config.username and config.password is not None:
            auth["basic_auth"] = (config.username, config.password.get_secret_value())
        self.client = Elasticsearch(
            config.url,
            request_timeout=config.timeout_s,
            verify_certs=config.verify_certs,
            retry_on_timeout=True,
            max_retries=2,
            **auth,
        )
        self.mentions = f"{self.prefix}-mentions"
        self._mention_indices = f"{self.prefix}-mentions-*"
        self._incidents = f"{self.prefix}-state-incidents"
        self._sources = f"{self.prefix}-state-sources"
        self._outages = f"{self.prefix}-state-outages"

    @classmethod
    def from_config(cls, config: StoreConfig, ctx: PluginContext) -> Self:
        assert isinstance(config, ElasticsearchStoreConfig)
        return cls(config)

    # -- plumbing ------------------------------------------------------------------------

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """One API call; unreachable → StoreUnavailable, refused → StoreError (both say why)."""
        try:
            return fn(*args, **kwargs)
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise StoreUnavailable(
                f"Elasticsearch at {self.config.url} unreachable during {what}: {exc}"
            ) from None
        except ApiError as exc:
            if exc.meta.status in (502, 503, 504):
                raise StoreUnavailable(
                    f"Elasticsearch at {self.config.url} unavailable during {what}: {exc.message}"
                ) from None
            raise StoreError(f"Elasticsearch refused {what}: {exc.message} ({exc.body})") from None

    def _template(self, name: str) -> dict[str, Any]:
        try:
            body: dict[str, Any] = json.loads(packaged_text(f"elasticsearch/{name}.json"))
        except PackagedFileMissing as exc:
            raise StoreError(str(exc)) from None
        return body

    def setup(self) -> None:
        mentions = self._template("mentions")
        mentions["index_patterns"] = [self._mention_indices]
        mentions["template"]["aliases"] = {self.mentions: {}}
        self._call(
            "put the mentions template",
            self.client.indices.put_index_template,
            name=f"{self.prefix}-mentions",
            body=mentions,
        )
        if self._call("check the alias", self.client.indices.exists_alias, name=self.mentions):
            # months indexed before an upgrade get the template's new fields too
            self._call(
                "add new fields to the mention indices",
                self.client.indices.put_mapping,
                index=self.mentions,
                properties=mentions["template"]["mappings"]["properties"],
            )
        state = self._template("state")
        state["index_patterns"] = [f"{self.prefix}-state-*"]
        self._call(
            "put the state template",
            self.client.indices.put_index_template,
            name=f"{self.prefix}-state",
            body=state,
        )
        for index in (self._incidents, self._sources, self._outages):
            if not self._call("check an index", self.client.indices.exists, index=index):
                try:
                    self.client.indices.create(index=index)
                except ApiError as exc:  # created meanwhile by another process
                    if "resource_already_exists" not in str(exc.message):
                        raise StoreError(f"cannot create {index}: {exc.message}") from None
                except (TransportConnectionError, ConnectionTimeout) as exc:
                    raise StoreUnavailable(f"Elasticsearch unreachable: {exc}") from None

    def close(self) -> None:
        self.client.close()

    def destroy(self) -> None:
        """Delete every index and template of this prefix (a demo's own indices, a test's):
        nothing of another prefix is touched."""
        self._on_own_indices("delete the indices", self.client.indices.delete)
        for name in (f"{self.prefix}-mentions", f"{self.prefix}-state"):
            self._call(
                "delete a template",
                self.client.options(ignore_status=404).indices.delete_index_template,
                name=name,
            )

    def ping(self) -> None:
        """The cluster answers and is not red (the health API exists everywhere; ``GET /``
        may not, in test builds). Red means some data cannot be written: unavailable."""
        health = self._call("a health check", self.client.cluster.health, timeout="5s")
        if health.get("status") == "red":
            raise StoreUnavailable(
                f"Elasticsearch at {self.config.url} is red: "
                f"{health.get('unassigned_shards', '?')} shards unassigned"
            )

    def refresh(self) -> None:
        self._on_own_indices("a refresh", self.client.indices.refresh)

    def _on_own_indices(self, what: str, action: Any) -> None:
        """``action`` on every index of this prefix (none is fine)."""
        self._call(
            what, action, index=f"{self.prefix}-*", allow_no_indices=True, ignore_unavailable=True
        )

    def prune(self, before: datetime) -> int:
        """Delete every monthly index whose month ends on or before ``before``."""
        found = self._call(
            "a listing of the mention indices",
            self.client.cat.indices,
            index=self._mention_indices,
            format="json",
            h="index,docs.count",
        )
        deleted = 0
        for row in found:
            month = str(row["index"]).rsplit("-", 1)[-1]
            try:
                start = datetime.strptime(month, "%Y.%m").replace(tzinfo=UTC)
            except ValueError:
                continue
            end = (
                start.replace(year=start.year + 1, month=1)
                if start.month == 12
                else (start.replace(month=start.month + 1))
            )
            if end <= before:
                self._call("an index deletion", self.client.indices.delete, index=row["index"])
                deleted += int(row.get("docs.count") or 0)
        return deleted

    # -- mentions ------------------------------------------------------------------------

    def month_index(self, mention: Mention) -> str:
        return f"{self.prefix}-mentions-{mention.published_at:%Y.%m}"

    @staticmethod
    def document(mention: Mention) -> dict[str, Any]:
        return document(mention)

    def bulk_upsert(self, mentions: Sequence[Mention]) -> UpsertReport:
        """Index by mention id (the same post twice is one document); a document the
        cluster rejects is reported with its reason, and stays with the caller."""
        report = UpsertReport()
        if not mentions:
            return report
        latest = {m.id: m for m in mentions}
        actions = (
            {
                "_op_type": "index",
                "_index": self.month_index(m),
                "_id": m.id,
                "_source": self.document(m),
            }
            for m in latest.values()
        )
        try:
            for ok, item in helpers.streaming_bulk(
                self.client,
                actions,
                chunk_size=500,
                raise_on_error=False,
                raise_on_exception=False,
                max_retries=2,
            ):
                result = item.get("index", {})
                if ok:
                    report.indexed.append(str(result.get("_id")))
                else:
                    error = result.get("error", {})
                    reason = error.get("reason", str(error)) if isinstance(error, dict) else error
                    report.failed[str(result.get("_id"))] = f"{result.get('status')}: {reason}"
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise StoreUnavailable(
                f"Elasticsearch unreachable during a bulk upsert: {exc}"
            ) from None
        if report.failed and not report.indexed and _all_unavailable(report.failed):
            raise StoreUnavailable(f"Elasticsearch refused every document: {report.failed}")
        return report

    def get(self, mention_id: str) -> Mention | None:
        found = self._search_mentions({"ids": {"values": [mention_id]}}, size=1)
        hits = found["hits"]["hits"]
        return mention_from(hits[0]["_source"]) if hits else None

    def get_many(self, mention_ids: Sequence[str]) -> dict[str, Mention]:
        wanted = list(dict.fromkeys(mention_ids))
        if not wanted:
            return {}
        found = self._search_mentions({"ids": {"values": wanted}}, size=len(wanted))
        return {h["_id"]: mention_from(h["_source"]) for h in found["hits"]["hits"]}

    def _search_mentions(self, query: dict[str, Any], **kwargs: Any) -> Any:
        return self._call(
            "a search",
            self.client.search,
            index=self._mention_indices,
            query=query,
            allow_no_indices=True,
            ignore_unavailable=True,
            **kwargs,
        )

    def search(self, query: MentionQuery) -> SearchPage:
        """Sorted like every store; past Elasticsearch's 10,000-hit window (the detectors
        read large windows) it pages with ``search_after`` on the same total order."""
        order: list[dict[str, Any]] = [{"published_at": "desc"}, {"id": "asc"}]
        if query.order == "engagement":
            order.insert(0, {"engagement_total": "desc"})
        es_query = mention_query(query)
        if query.offset + query.limit <= MAX_WINDOW:
            found = self._search_mentions(
                es_query, sort=order, size=query.limit, from_=query.offset, track_total_hits=True
            )
            hits = found["hits"]
            return SearchPage(
                int(hits["total"]["value"]), [mention_from(h["_source"]) for h in hits["hits"]]
            )
        mentions: list[Mention] = []
        total = 0
        skip, after = query.offset, None
        while len(mentions) < query.limit:
            extra: dict[str, Any] = {"search_after": after} if after is not None else {}
            found = self._search_mentions(
                es_query, sort=order, size=PAGE, track_total_hits=True, **extra
            )
            hits = found["hits"]["hits"]
            total = int(found["hits"]["total"]["value"])
            if not hits:
                break
            after = hits[-1]["sort"]
            usable = hits[skip:] if skip else hits
            skip = max(0, skip - len(hits))
            mentions.extend(mention_from(h["_source"]) for h in usable)
        return SearchPage(total, mentions[: query.limit])

    def count_buckets(self, query: BucketQuery) -> list[BucketCount]:
        """One composite aggregation, paged: brand × bucket × sentiment (× platform)."""
        seconds = int(query.bucket.total_seconds())
        if seconds <= 0:
            raise StoreError("bucket size must be positive")
        filters: list[dict[str, Any]] = [
            {"range": {"published_at": {"gte": iso(query.since), "lt": iso(query.until)}}}
        ]
        if query.brands:
            filters.append({"terms": {"brands": list(query.brands)}})
        if query.crisis_only:
            filters.append({"term": {"crisis": True}})
        sources: list[dict[str, Any]] = [
            {"brand": {"terms": {"field": "brands"}}},
            {
                "bucket": {
                    "date_histogram": {"field": "published_at", "fixed_interval": f"{seconds}s"}
                }
            },
            {"sentiment": {"terms": {"field": "sentiment_label", "missing_bucket": True}}},
        ]
        if query.by_platform:
            sources.append({"platform": {"terms": {"field": "platform"}}})
        counts: Counter[tuple[int, str, str | None, str | None]] = Counter()
        for bucket in self._composite(filters, sources):
            key = bucket["key"]
            if query.brands and key["brand"] not in query.brands:
                continue  # the other brands of a multi-brand mention
            at = (key["bucket"], key["brand"], key["sentiment"], key.get("platform"))
            counts[at] += int(bucket["doc_count"])
        # The few documents whose sentiment toward a brand differs from their own label
        # move from that label's count to the brand's.
        moved = [{"override": {"terms": {"field": "sentiment_overrides"}}}, *sources[1:]]
        for bucket in self._composite(
            [*filters, {"exists": {"field": "overridden_brands"}}], moved
        ):
            key = bucket["key"]
            brand, label = key["override"].rsplit(OVERRIDE, 1)
            if query.brands and brand not in query.brands:
                continue
            n, platform = int(bucket["doc_count"]), key.get("platform")
            counts[(key["bucket"], brand, key["sentiment"], platform)] -= n
            counts[(key["bucket"], brand, label, platform)] += n
        rows = [
            BucketCount(
                start=datetime.fromtimestamp(b / 1000, UTC),
                brand=brand,
                sentiment=sentiment,  # type: ignore[arg-type]
                count=count,
                platform=platform,
            )
            for (b, brand, sentiment, platform), count in counts.items()
            if count > 0
        ]
        rows.sort(key=lambda r: (r.start, r.brand))
        return rows

    def _composite(
        self, filters: list[dict[str, Any]], sources: list[dict[str, Any]]
    ) -> Iterator[dict[str, Any]]:
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {"size": 5000, "sources": sources}
            if after is not None:
                composite["after"] = after
            found = self._search_mentions(
                {"bool": {"filter": filters}},
                size=0,
                aggs={"counts": {"composite": composite}},
            )
            aggregation = (found.get("aggregations") or {}).get("counts")
            if not aggregation:
                return
            yield from aggregation["buckets"]
            after = aggregation.get("after_key")
            if not after or len(aggregation["buckets"]) < composite["size"]:
                return


def _all_unavailable(failed: dict[str, str]) -> bool:
    return all(reason.startswith(("429", "503")) for reason in failed.values())
