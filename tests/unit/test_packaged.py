"""The files the package carries are found through importlib.resources, and a broken
install that lacks one says so in one line (no traceback, no path into a source tree)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from listener import packaged as packaged_module
from listener.kibana import KibanaConfig, KibanaError, import_saved_objects
from listener.packaged import PackagedFileMissing, packaged, packaged_text
from listener.plugin import PluginContext
from listener.stores.base import StoreError
from listener.stores.elasticsearch import ElasticsearchStore, ElasticsearchStoreConfig


def test_the_shipped_files_are_inside_the_package() -> None:
    for name in ("elasticsearch/mentions.json", "elasticsearch/state.json"):
        assert "template" in json.loads(packaged_text(name))
    objects = packaged_text("kibana/listener.ndjson").splitlines()
    assert objects and all(json.loads(line)["type"] for line in objects)
    assert Path(str(packaged("kibana/listener.ndjson"))).parent.parent.name == "files"


@pytest.fixture
def broken_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "files").mkdir()
    monkeypatch.setattr(packaged_module, "files", lambda _package: tmp_path)
    return tmp_path


def test_a_missing_file_is_one_line_saying_what_to_do(broken_install: Path) -> None:
    with pytest.raises(PackagedFileMissing) as caught:
        packaged("kibana/listener.ndjson")
    message = str(caught.value)
    assert message.startswith("listener/files/kibana/listener.ndjson is missing")
    assert "reinstall listener" in message and "\n" not in message
    with pytest.raises(KibanaError, match=r"listener\.ndjson is missing"):
        import_saved_objects(KibanaConfig(url="http://127.0.0.1:9"))
    store = ElasticsearchStore.from_config(
        ElasticsearchStoreConfig(url="http://127.0.0.1:9"), PluginContext()
    )
    with pytest.raises(StoreError, match=r"elasticsearch/mentions\.json is missing"):
        store.setup()
