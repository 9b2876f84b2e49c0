"""Elasticsearch's state indices: per-source health, outages and incidents (one document
each, its model under ``doc``, a few fields beside it to filter and sort on)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from alerts.catalogue import Words
from listener.domain import Incident, IncidentStatus, Outage, SourceHealth
from listener.stores.es_query import iso as _iso


class StateIndices:
    """The state half of ``ElasticsearchStore`` (which provides the client and ``_call``)."""

    client: Elasticsearch
    _sources: str
    _outages: str
    _incidents: str

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    # -- per-source state ----------------------------------------------------------------

    def _put(self, index: str, doc_id: str, fields: dict[str, Any], model: Any) -> None:
        self._call(
            f"a write to {index}",
            self.client.index,
            index=index,
            id=doc_id,
            document={**fields, "doc": model.model_dump(mode="json")},
            refresh="wait_for",
        )

    def _all(self, index: str, query: dict[str, Any], sort: list[Any]) -> list[dict[str, Any]]:
        found = self._call(
            f"a read of {index}",
            self.client.search,
            index=index,
            query=query,
            sort=sort,
            size=10_000,
        )
        return [h["_source"]["doc"] for h in found["hits"]["hits"]]

    def save_source_health(self, health: SourceHealth) -> None:
        self._put(self._sources, health.source, {"source": health.source}, health)

    def source_health(self, source: str) -> SourceHealth | None:
        found = self._all(self._sources, {"term": {"source": source}}, [])
        return SourceHealth.model_validate(found[0]) if found else None

    def all_source_health(self) -> list[SourceHealth]:
        docs = self._all(self._sources, {"match_all": {}}, [{"source": "asc"}])
        return [SourceHealth.model_validate(d) for d in docs]

    def save_outage(self, outage: Outage) -> None:
        fields = {
            "source": outage.source,
            "start": _iso(outage.start),
            "end": _iso(outage.end) if outage.end else None,
        }
        self._put(self._outages, f"{outage.source}|{_iso(outage.start)}", fields, outage)

    def outages(self, since: datetime) -> list[Outage]:
        query = {
            "bool": {
                "should": [
                    {"bool": {"must_not": {"exists": {"field": "end"}}}},
                    {"range": {"end": {"gt": _iso(since)}}},
                ],
                "minimum_should_match": 1,
            }
        }
        return [
            Outage.model_validate(d) for d in self._all(self._outages, query, [{"start": "asc"}])
        ]

    # -- incidents -----------------------------------------------------------------------

    def save_incident(self, incident: Incident) -> None:
        fields = {
            "id": incident.id,
            "brand": incident.brand,
            "status": incident.status.value,
            "severity": incident.severity,
            "title": Words().title(incident),  # for analysts in Kibana
            "opened_at": _iso(incident.opened_at),
            "updated_at": _iso(incident.updated_at),
        }
        self._put(self._incidents, incident.id, fields, incident)

    def get_incident(self, incident_id: str) -> Incident | None:
        found = self._all(self._incidents, {"ids": {"values": [incident_id]}}, [])
        return Incident.model_validate(found[0]) if found else None

    def list_incidents(
        self, *, open_only: bool = False, brand: str | None = None, since: datetime | None = None
    ) -> list[Incident]:
        filters: list[dict[str, Any]] = []
        if open_only:
            filters.append(
                {"bool": {"must_not": {"term": {"status": IncidentStatus.RESOLVED.value}}}}
            )
        if brand is not None:
            filters.append({"term": {"brand": brand}})
        if since is not None:
            filters.append({"range": {"updated_at": {"gte": _iso(since)}}})
        docs = self._all(
            self._incidents, {"bool": {"filter": filters}}, [{"updated_at": "desc"}, {"id": "asc"}]
        )
        return [Incident.model_validate(d) for d in docs]
