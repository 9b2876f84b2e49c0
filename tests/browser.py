"""Headless Chromium (Debian's ``chromium``, installed by ``make test``) for layout checks.

``screenshot`` renders a page to a PNG at a given window size; ``page_width`` loads it
and reports the document's scroll width (wider than the window: the layout overflows,
a reader on a phone would scroll sideways).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",  # tests run as root in CI containers
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--disable-extensions",
    "--force-device-scale-factor=1",
)


def browser() -> str:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError(
        "no headless Chromium found (tried " + ", ".join(CANDIDATES) + "): `make test` installs "
        "Debian's chromium package; install it (apt-get install chromium) to run this test"
    )


def _run(*args: str) -> str:
    with tempfile.TemporaryDirectory(prefix="listener-chromium-") as profile:
        done = subprocess.run(
            [browser(), *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if done.returncode != 0:
        raise AssertionError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def screenshot(page: Path, out: Path, width: int, height: int) -> Image.Image:
    _run(f"--window-size={width},{height}", f"--screenshot={out}", page.resolve().as_uri())
    return Image.open(out).convert("RGB")


def page_width(page: Path, window: int) -> int:
    """How far right the laid-out content reaches when the page is ``window`` px wide.

    Headless Chromium will not make a window narrower than 500 px for ``--dump-dom``, so
    the probe pins the root element to ``window`` px and measures every element's right
    edge; more than ``window`` means the layout overflows (sideways scrolling on a phone).
    """
    probe = page.with_suffix(".probe.html")
    script = (
        f"<style>html {{ width: {window}px !important; }}</style><script>"
        "const r = [...document.querySelectorAll('body *')]"
        ".map(e => e.getBoundingClientRect().right);"
        "document.title = 'W=' + Math.ceil(Math.max(0, ...r));</script>"
    )
    probe.write_text(
        page.read_text(encoding="utf-8").replace("</body>", script + "</body>"),
        encoding="utf-8",
    )
    dom = _run(f"--window-size={max(window, 800)},900", "--dump-dom", probe.resolve().as_uri())
    found = re.search(r"<title>W=(\d+)</title>", dom)
    assert found, "the probe did not run: " + dom[:300]
    return int(found.group(1))


def ink(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> float:
    """Share of pixels that differ clearly from ``background`` (0: a blank page)."""
    gray = image.convert("L")
    level = sum(background) // 3
    histogram = gray.histogram()
    blank = sum(histogram[max(0, level - 12) : min(256, level + 13)])
    return 1.0 - blank / (image.width * image.height)
