"""The real Elasticsearch node the tests use: started once per test session by the
repo's own script (``scripts/elasticsearch.sh``), or ``LISTENER_ES_URL`` if set."""

from __future__ import annotations

import atexit
import os
import subprocess
import uuid
from functools import lru_cache

from tests.conftest import REPO


@lru_cache(maxsize=1)
def elasticsearch_url() -> str:
    url = os.environ.get("LISTENER_ES_URL")
    if url:
        return url
    port = os.environ.get("ES_PORT", "9200")
    script = str(REPO / "scripts" / "elasticsearch.sh")
    running = subprocess.run([script, "status"], capture_output=True, timeout=60, check=False)
    if running.returncode != 0:
        done = subprocess.run(
            [script, "start"], capture_output=True, text=True, timeout=600, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"scripts/elasticsearch.sh start failed:\n{done.stderr[-3000:]}")
        # a node this session started is stopped when the session ends
        atexit.register(subprocess.run, [script, "stop"], capture_output=True, check=False)
    return f"http://127.0.0.1:{port}"


def unique_prefix() -> str:
    """Each test gets its own indices and templates (deleted afterwards)."""
    return f"t{uuid.uuid4().hex[:12]}"
