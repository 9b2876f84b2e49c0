"""The README's commands work as written: the ones a newcomer types after `make run` run
for real on the example configuration, and every command of the command-line table
exists with every option the table names (checked against its ``--help``)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow
README = (REPO / "README.md").read_text(encoding="utf-8")


def shell_lines() -> list[str]:
    """Every command line of the README's ``sh`` blocks, comments stripped."""
    blocks = re.findall(r"^```sh\n(.*?)^```", README, flags=re.S | re.M)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def table_usages() -> list[str]:
    """The usage column of the command-line table (``listener …`` rows)."""
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    return [u.replace("\\|", "|") for u in re.findall(r"^\| `(listener [^`]+)`", section, re.M)]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-m", "listener", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONPATH": str(REPO)},
    )


def test_the_commands_after_make_run_work_on_the_example_config(tmp_path: Path) -> None:
    """``make run`` starts the daemon on config/listener.example.yml from the repository
    root; the README then has the user type these in another terminal."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    typed = [
        line
        for line in shell_lines()
        # the demo lines take minutes each: tests/integration/test_demo.py runs them
        if line.startswith(".venv/bin/listener ") and not line.startswith(".venv/bin/listener demo")
    ]
    assert len(typed) >= 2, typed
    crawled = run(["--config", "config/listener.example.yml", "crawl", "sample"], tmp_path)
    assert crawled.returncode == 0, crawled.stderr
    for line in typed:
        done = run(line.removeprefix(".venv/bin/listener ").split(), tmp_path)
        assert done.returncode == 0, f"{line}: {done.stderr}"
        assert "error" not in done.stderr.lower(), f"{line}: {done.stderr}"


@pytest.mark.parametrize("usage", table_usages(), ids=lambda u: " ".join(u.split()[:3]))
def test_every_command_in_the_table_takes_the_options_it_lists(usage: str) -> None:
    words = usage.split()
    path = [w for w in words[1:3] if re.fullmatch(r"[a-z][a-z-]*", w)]
    if path[1:] and path[0] not in ("config", "kibana"):
        path = path[:1]  # a second word is an argument (crawl SOURCE), not a subcommand
    helped = run([*path, "--help"], REPO)
    assert helped.returncode == 0, f"listener {' '.join(path)}: {helped.stderr}"
    for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", usage):
        assert re.search(rf"(?<![\w-]){re.escape(option)}\b", helped.stdout), (
            f"`listener {' '.join(path)}` has no {option} (README: {usage})"
        )
