"""Kibana saved objects: they hold together and use only fields the mappings have;
Discover links; the import command against a stand-in Kibana."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from listener.config.models import Config
from listener.demo.http_recorder import http_recorder
from listener.domain import Incident, IncidentStatus
from listener.kibana import SAVED_OBJECTS, KibanaConfig, KibanaError, discover_url
from listener.kibana import import_saved_objects as import_objects
from listener.packaged import packaged, packaged_text
from tests.factories import T0

OBJECTS = [json.loads(line) for line in packaged_text(SAVED_OBJECTS).splitlines()]
KQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*(?::|>=|<=|>|<)")


def mapped_fields(template: str) -> set[str]:
    """Every field path the template maps, multi-fields included (``text.keyword``)."""
    found: set[str] = set()

    def walk(properties: dict[str, Any], prefix: str) -> None:
        for name, spec in properties.items():
            path = f"{prefix}{name}"
            found.add(path)
            walk(spec.get("properties", {}), f"{path}.")
            found.update(f"{path}.{sub}" for sub in spec.get("fields", {}))

    body = json.loads(packaged_text(f"elasticsearch/{template}.json"))
    walk(body["template"]["mappings"]["properties"], "")
    return found


FIELDS = {
    "listener-mentions": mapped_fields("mentions"),
    "listener-incidents": mapped_fields("state"),
}


def data_view_of(obj: dict[str, Any]) -> str:
    (ref,) = [r for r in obj["references"] if r["type"] == "index-pattern"]
    return str(ref["id"])


def test_ids_are_unique_and_every_reference_resolves() -> None:
    ids = [(o["type"], o["id"]) for o in OBJECTS]
    assert len(ids) == len(set(ids))
    for obj in OBJECTS:
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in ids, f"{obj['id']} → {ref}"
    dashboard = next(o for o in OBJECTS if o["type"] == "dashboard")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    names = {r["name"] for r in dashboard["references"]}
    assert {p["panelRefName"] for p in panels} == names and len(panels) == 7
    types = {r["name"]: r["type"] for r in dashboard["references"]}
    assert all(p["type"] == types[p["panelRefName"]] for p in panels)


# What Kibana's own code dereferences when it renders a legacy visualization (8.x:
# src/plugins/vis_types/xy/public/to_ast.ts, utils/get_series_params.ts, the editor's
# metrics_axes and point_series, expression_xy's validate.ts; vis_types/pie to_ast.ts).
# Kibana fills only missing top-level params from the type's defaults (lodash
# ``defaults``), so an empty list in a saved object stays empty: ``valueAxes: []``
# throws at ``valueAxes[0].id``; ``seriesParams: []`` draws a histogram as lines.
XY_TYPES = {"histogram", "line", "area"}
POSITIONS = {"left", "right", "top", "bottom"}
SCALES = {"linear", "log", "square root"}
AXIS_MODES = {"normal", "percentage", "wiggle", "silhouette"}


def _axis_problems(kind: str, axes: Any) -> list[str]:
    if not isinstance(axes, list) or not axes:
        return [f"{kind} must list at least one axis ({kind}[0] is read)"]
    problems = []
    for n, axis in enumerate(axes):
        where = f"{kind}[{n}]"
        if not axis.get("id"):
            problems.append(f"{where}.id missing")
        if axis.get("position") not in POSITIONS:
            problems.append(f"{where}.position must be one of {sorted(POSITIONS)}")
        if "show" not in axis:
            problems.append(f"{where}.show missing")
        for part in ("title", "labels", "scale"):
            if not isinstance(axis.get(part), dict):
                problems.append(f"{where}.{part} must be an object")
        scale = axis.get("scale") or {}
        if scale.get("type") not in SCALES:
            problems.append(f"{where}.scale.type must be one of {sorted(SCALES)}")
        if kind == "valueAxes" and scale.get("mode") not in AXIS_MODES:
            problems.append(f"{where}.scale.mode must be one of {sorted(AXIS_MODES)}")
        if (axis.get("labels") or {}).get("rotate", 0) not in (0, 45, 90):
            problems.append(f"{where}.labels.rotate must be 0, 45 or 90")
    return problems


def _series_problems(params: dict[str, Any], metrics: set[str]) -> list[str]:
    axes = {a.get("id") for a in params.get("valueAxes") or []}
    series = params.get("seriesParams") or []
    drawn = {(s.get("data") or {}).get("id") for s in series}
    problems = [f"metric {m} has no seriesParams entry (drawn as a line)" for m in metrics - drawn]
    for n, one in enumerate(series):
        where = f"seriesParams[{n}]"
        if one.get("type") not in XY_TYPES:
            problems.append(f"{where}.type must be one of {sorted(XY_TYPES)}")
        if one.get("mode") not in ("normal", "stacked"):
            problems.append(f"{where}.mode must be normal or stacked")
        if one.get("valueAxis") not in axes:
            problems.append(f"{where}.valueAxis names no value axis")
        if (one.get("data") or {}).get("id") not in metrics:
            problems.append(f"{where}.data.id names no metric aggregation")
        if not one.get("show"):
            problems.append(f"{where} is hidden")
    if "fillOpacity" in params and all(s.get("type") != "area" for s in series):
        problems.append("fillOpacity applies only to area charts")
    return problems


def _xy_problems(params: dict[str, Any], aggs: list[Any], metrics: set[str]) -> list[str]:
    problems = _axis_problems("valueAxes", params.get("valueAxes"))
    problems += _axis_problems("categoryAxes", params.get("categoryAxes"))
    problems += [
        f"params.{key} must be an object"
        for key in ("grid", "thresholdLine", "labels")
        if not isinstance(params.get(key), dict)
    ]
    problems += _series_problems(params, metrics)
    on_time = any(a["type"] == "date_histogram" for a in aggs if a.get("schema") == "segment")
    if params.get("addTimeMarker") and not on_time:
        problems.append("addTimeMarker needs a date_histogram x axis")
    return problems


def _pie_problems(params: dict[str, Any], metrics: set[str]) -> list[str]:
    problems = [] if len(metrics) == 1 else ["a pie takes exactly one metric"]
    if not isinstance(params.get("labels"), dict):
        problems.append("params.labels must be an object")
    if params.get("legendDisplay", "show") not in ("show", "hide", "default"):
        problems.append("params.legendDisplay must be show, hide or default")
    return problems


def render_problems(vis: dict[str, Any]) -> list[str]:
    """Why Kibana would fail to render (or misdraw) this visState; empty when it renders."""
    params, aggs = vis.get("params", {}), vis.get("aggs", [])
    metrics = {a["id"] for a in aggs if a.get("schema") == "metric" and a.get("enabled", True)}
    problems = [] if metrics else ["no metric aggregation"]
    if vis["type"] in XY_TYPES:
        return problems + _xy_problems(params, aggs, metrics)
    if vis["type"] == "pie":
        return problems + _pie_problems(params, metrics)
    if vis["type"] == "table":
        return problems + ([] if aggs else ["a table needs aggs"])
    return [*problems, f"no rendering rules known for {vis['type']!r}"]


@pytest.mark.parametrize(
    "obj", [o for o in OBJECTS if o["type"] == "visualization"], ids=lambda o: o["id"]
)
def test_every_visualization_passes_kibana_s_rendering_rules(obj: dict[str, Any]) -> None:
    vis = json.loads(obj["attributes"]["visState"])
    assert render_problems(vis) == []


def test_the_rules_catch_what_broke_the_histograms() -> None:
    broken = {
        "type": "histogram",
        "aggs": [{"id": "1", "type": "count", "schema": "metric", "params": {}}],
        "params": {"type": "histogram", "seriesParams": [], "valueAxes": [], "categoryAxes": []},
    }
    problems = render_problems(broken)
    assert "valueAxes must list at least one axis (valueAxes[0] is read)" in problems
    assert "metric 1 has no seriesParams entry (drawn as a line)" in problems


def test_top_negative_posts_show_text_and_a_link_sorted_by_engagement() -> None:
    top = next(o for o in OBJECTS if o["id"] == "listener-top-negative")
    assert top["type"] == "search"
    assert top["attributes"]["columns"][0] == "text" and "url" in top["attributes"]["columns"]
    assert top["attributes"]["sort"] == [["engagement_total", "desc"]]
    source = json.loads(top["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    assert source["query"]["query"] == 'sentiment_label : "negative"'
    view = next(o for o in OBJECTS if o["id"] == "listener-mentions")
    formats = json.loads(view["attributes"]["fieldFormatMap"])
    assert formats["url"]["id"] == "url" and formats["url"]["params"]["type"] == "a"
    dashboard = next(o for o in OBJECTS if o["type"] == "dashboard")
    assert {"type": "search", "id": "listener-top-negative", "name": "panel_3"} in dashboard[
        "references"
    ]
    assert not any(o["id"] == "listener-top-threads" for o in OBJECTS)


def test_data_views_point_at_the_store_indices() -> None:
    views = {o["id"]: o["attributes"] for o in OBJECTS if o["type"] == "index-pattern"}
    assert views["listener-mentions"]["title"] == "listener-mentions"  # the alias
    assert views["listener-mentions"]["timeFieldName"] == "published_at"
    assert views["listener-incidents"]["title"] == "listener-state-incidents"


@pytest.mark.parametrize(
    "obj", [o for o in OBJECTS if o["type"] in ("search", "visualization")], ids=lambda o: o["id"]
)
def test_every_field_used_exists_in_the_mapping(obj: dict[str, Any]) -> None:
    fields = FIELDS[data_view_of(obj)]
    attributes = obj["attributes"]
    used = set(attributes.get("columns", []))
    used.update(column for column, _ in attributes.get("sort", []))
    source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
    used.update(KQL_FIELD.findall(source["query"]["query"]))
    if "visState" in attributes:
        for agg in json.loads(attributes["visState"])["aggs"]:
            if "field" in agg["params"]:
                used.add(agg["params"]["field"])
    missing = sorted(f for f in used if f not in fields)
    assert not missing, f"{obj['id']} uses unmapped fields {missing}"


def incident() -> Incident:
    return Incident(
        id="i-1",
        brand="小米",
        key="volume",
        status=IncidentStatus.OPEN,
        severity="P1",
        title="负面提及激增",
        opened_at=T0,
        updated_at=T0 + timedelta(minutes=30),
        last_signal_at=T0 + timedelta(minutes=30),
    )


def test_discover_link_is_filtered_to_the_incident() -> None:
    config = KibanaConfig(
        url="http://kibana:5601", public_url="https://kibana.example.com/", space="pr"
    )
    url = discover_url(config, incident(), timedelta(hours=1))
    assert url.startswith("https://kibana.example.com/s/pr/app/discover#/?_g=")
    state = unquote(url)
    assert "dataViewId:'listener-mentions'" in state
    assert 'query:\'brands : "小米" and sentiment_label : "negative"\'' in state
    assert f"from:'{(T0 - timedelta(hours=1)).isoformat()}'" in state
    assert f"to:'{(T0 + timedelta(minutes=90)).isoformat()}'" in state


def test_a_quote_in_a_brand_cannot_break_the_link() -> None:
    odd = incident().model_copy(update={"brand": "O'Neill's!"})
    state = unquote(discover_url(KibanaConfig(url="http://k"), odd, timedelta(0)))
    assert "O!'Neill!'s!!" in state


@pytest.fixture
def kibana() -> Iterator[Any]:
    with http_recorder() as recorder:
        recorder.reply = b'{"success":true,"successCount":13,"successResults":[]}'
        yield recorder


def test_import_posts_the_ndjson_with_overwrite(kibana: Any) -> None:
    config = KibanaConfig(url=kibana.url, username="elastic", password="s3cret")
    answer = import_objects(config)
    assert answer["successCount"] == 13
    (request,) = kibana.requests
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert request.path == "/api/saved_objects/_import?overwrite=true"
    assert headers["kbn-xsrf"] == "listener"
    assert headers["authorization"] == "Basic ZWxhc3RpYzpzM2NyZXQ="
    assert packaged(SAVED_OBJECTS).read_bytes() in request.body
    assert b'filename="listener.ndjson"' in request.body


def test_import_errors_are_reported(kibana: Any) -> None:
    kibana.reply = b'{"success":false,"errors":[{"id":"x","error":{"type":"missing_references"}}]}'
    with pytest.raises(KibanaError, match="missing_references"):
        import_objects(KibanaConfig(url=kibana.url))
    kibana.status = 401
    kibana.reply = b'{"statusCode":401,"message":"unauthorized"}'
    with pytest.raises(KibanaError, match="HTTP 401"):
        import_objects(KibanaConfig(url=kibana.url))


def test_kibana_config_is_optional_and_validated(config_for: Callable[[str], Config]) -> None:
    assert config_for("brands: [{name: 小米}]\n").kibana is None
    config = config_for("brands: [{name: 小米}]\nkibana: {url: 'http://kibana:5601'}\n")
    assert config.kibana is not None and config.kibana.base() == "http://kibana:5601"


def test_ndjson_is_what_the_tests_read() -> None:
    assert len(OBJECTS) == 13 and all(o["managed"] is False for o in OBJECTS)
