"""Listener as the Dockerfile installs it: a wheel built from this tree, installed into a
fresh virtual environment and run from a directory outside the source tree, so only
what the wheel carries is there (the Elasticsearch templates, the Kibana objects, the
model). The wheel goes in with ``--no-deps``; its dependencies come from the test
environment's site-packages through a path entry — read as a plain path, so that
environment's editable install of this tree is not on it — and ``pip check`` proves the
wheel's declared requirements are all met there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from listener.demo.http_recorder import http_recorder
from listener.domain import utcnow
from tests.conftest import REPO
from tests.elasticsearch_node import elasticsearch_url, unique_prefix
from tests.factories import write_jsonl

pytestmark = pytest.mark.slow


class Installed:
    def __init__(self, venv: Path, home: Path) -> None:
        self.python = venv / "bin" / "python"
        self.home = home

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python.parent / args[0]), *args[1:]],
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={"PATH": "/usr/bin:/bin", "HOME": str(self.home), "COLUMNS": "200"},
        )


def pip(*args: str) -> str:
    """This environment's pip, as a user would run it; its output, asserted successful."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("wheel")
    dist, venv, home = root / "dist", root / "venv", root / "home"
    home.mkdir()
    pip("wheel", "--no-deps", "--no-build-isolation", "-q", "--wheel-dir", str(dist), str(REPO))
    (wheel,) = dist.glob("listener-*.whl")
    # without pip or setuptools of its own: nothing in it but the wheel
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip("--python", str(python), "install", "-q", "--no-deps", str(wheel))
    yield Installed(venv, home)


def test_the_wheel_is_what_runs_and_its_requirements_are_met(installed: Installed) -> None:
    where = installed.run(
        "python", "-c", "import listener, models, alerts; print(listener.__file__, models.SHIPPED)"
    )
    assert where.returncode == 0, where.stderr
    package, model = where.stdout.split()
    venv = str(installed.python.parent.parent)
    assert package.startswith(venv) and model.startswith(venv), where.stdout
    assert not package.startswith(str(REPO))
    assert "No broken requirements" in pip("--python", str(installed.python), "check")
    scored = installed.run(
        "python",
        "-c",
        "import sys; from models import load_scorer; "
        "print(load_scorer().score(['太失望了'])[0].label, 'torch' in sys.modules)",
    )
    assert scored.stdout.split() == ["negative", "False"], scored.stderr  # ONNX Runtime only
    version = installed.run("listener", "--version")
    assert version.returncode == 0 and version.stdout.startswith("listener "), version.stderr


def test_every_command_finds_its_files(installed: Installed) -> None:
    """config check, kibana setup (against a recorder), then a crawl into the real
    Elasticsearch node, a search and status: templates, objects and model from the wheel."""
    prefix = unique_prefix()
    now = utcnow()
    posts = write_jsonl(
        installed.home / "posts.jsonl",
        [
            {
                "native_id": f"w{i}",
                "text": text,
                "published_at": (now - timedelta(minutes=30 - i)).isoformat(),
                "author": {"id": f"a{i}"},
            }
            for i, text in enumerate(["小米手机发热严重，太失望了", "小米SU7很满意", "蔚来换电"])
        ],
    )
    with http_recorder() as kibana:
        kibana.reply = b'{"success":true,"successCount":13}'
        config = installed.home / "listener.yml"
        config.write_text(
            f"""
daemon: {{data_dir: {installed.home / "data"}}}
storage: {{type: elasticsearch, url: "{elasticsearch_url()}", index_prefix: {prefix}}}
kibana: {{url: "{kibana.url}"}}
model: {{type: transformer}}
brands: [{{name: 小米}}]
sources:
  - {{name: file, platform: jsonl, path: {posts}, default_platform: weibo}}
""",
            encoding="utf-8",
        )
        os.environ.pop("LISTENER_CONFIG", None)
        checked = installed.run("listener", "config", "check", str(config))
        assert checked.returncode == 0, checked.stderr
        imported = installed.run("listener", "kibana", "setup", "--config", str(config))
        assert imported.returncode == 0, imported.stderr
        assert "imported 13 saved objects" in imported.stdout
    shipped = (REPO / "listener" / "files" / "kibana" / "listener.ndjson").read_bytes()
    assert shipped in kibana.requests[0].body
    crawled = installed.run("listener", "--config", str(config), "crawl", "file")
    assert crawled.returncode == 0, crawled.stderr
    assert "2 mentions indexed" in crawled.stdout, crawled.stdout
    found = installed.run("listener", "search", "小米", "--json", "--config", str(config))
    assert found.returncode == 0, found.stderr
    records = [json.loads(line) for line in found.stdout.splitlines()]
    assert sorted(r["text"] for r in records) == ["小米SU7很满意", "小米手机发热严重，太失望了"]
    labels = {r["text"]: r["sentiment"]["label"] for r in records}
    assert labels["小米手机发热严重，太失望了"] == "negative"
    status = installed.run("listener", "status", "--config", str(config))
    assert status.returncode == 0, status.stderr
