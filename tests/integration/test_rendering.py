"""The digest and an alert rendered by headless Chromium, at a phone and a desktop width.

``make screenshots`` runs these with ``LISTENER_DOCS_DIR=docs`` to refresh the
README's pictures from the same renderer.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from alerts.charts import volume_chart
from alerts.digest_mail import preview_html, render
from alerts.slack_blocks import incident_blocks, thread_text
from listener.app import App
from listener.config.models import Config
from listener.domain import IncidentStatus
from tests.blockkit_preview import message_html
from tests.browser import ink, page_width, screenshot
from tests.factories import DIGEST_NOW, incident, incident_event, seed_digest_day

pytestmark = pytest.mark.slow
PHONE, DESKTOP = 390, 1280


def keep_for_docs(image: Path, name: str) -> None:
    docs = os.environ.get("LISTENER_DOCS_DIR")
    if docs:
        Path(docs).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(image, Path(docs) / name)


@pytest.fixture
def digest_page(tmp_path: Path, config_for: Callable[[str], Config]) -> Path:
    app = App.build(config_for("brands: [{name: 小米}, {name: 蔚来}]\n"))
    try:
        seed_digest_day(app.store)
        mail = render(app.digests.build("leadership", DIGEST_NOW))
    finally:
        app.close()
    page = tmp_path / "digest.html"
    page.write_text(preview_html(mail), encoding="utf-8")
    return page


@pytest.mark.parametrize(("width", "height"), [(PHONE, 2400), (DESKTOP, 1600)])
def test_the_digest_lays_out_at_phone_and_desktop_widths(
    digest_page: Path, tmp_path: Path, width: int, height: int
) -> None:
    assert page_width(digest_page, width) <= width  # nothing forces sideways scrolling
    shot = tmp_path / f"digest-{width}.png"
    image = screenshot(digest_page, shot, width, height)
    assert image.size == (width, height)
    assert ink(image) > 0.03, "the page rendered (nearly) blank"
    # text and charts leave ink all the way down the first screens (a blank page: 0)
    bands = [image.crop((0, y, width, y + 400)) for y in range(0, 1200, 400)]
    assert all(ink(band) > 0.02 for band in bands), [ink(b) for b in bands]
    if width == DESKTOP:  # centred, at most 640 px wide
        left = image.crop((0, 0, (width - 660) // 2, height))
        assert ink(left, background=(244, 246, 248)) < 0.01
    keep_for_docs(shot, f"digest-{'phone' if width == PHONE else 'desktop'}.png")


def test_the_layout_probe_sees_overflow(tmp_path: Path) -> None:
    """The width check above can fail: a table wider than a phone is caught."""
    page = tmp_path / "wide.html"
    page.write_text('<html><body><table width="900"><tr><td>x</td></tr></table></body></html>')
    assert page_width(page, PHONE) > PHONE
    blank = tmp_path / "blank.html"
    blank.write_text('<html><body style="background:#fff"></body></html>')
    assert ink(screenshot(blank, tmp_path / "blank.png", PHONE, 600)) == 0.0


def test_an_alert_renders(tmp_path: Path) -> None:
    event = incident_event(incident=incident(severity="P1"))
    blocks = incident_blocks(event, interactive=True, mention="S0ONCALL1")
    escalated = incident_event(
        "escalated", incident=incident(severity="P1", status=IncidentStatus.ESCALATED)
    )
    chart = volume_chart(event.volume, "Asia/Shanghai")
    page = tmp_path / "alert.html"
    page.write_text(message_html(blocks, [thread_text(escalated)], chart), encoding="utf-8")
    assert page_width(page, 820) <= 820
    shot = tmp_path / "alert.png"
    image = screenshot(page, shot, 820, 880)
    assert ink(image) > 0.08
    keep_for_docs(shot, "alert.png")
