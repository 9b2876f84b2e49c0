"""``listener digest``: preview, text, and sending now through a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from listener.app import App
from listener.config.loader import load_config
from tests.cli_runner import listener
from tests.factories import seed_digest_day
from tests.smtp_server import smtp_server


def seeded_config(write_config: Callable[[str], Path], port: int) -> Path:
    path = write_config(
        f"""
        brands: [{{name: 小米}}, {{name: 蔚来}}]
        notifiers:
          - {{type: email, name: mail, host: 127.0.0.1, port: {port}, security: none,
              sender: listener@example.com}}
        digest:
          groups:
            - {{name: leadership, recipients: [ceo@example.com]}}
            - {{name: intl, language: en, timezone: Europe/London, recipients: [eu@example.com]}}
        """
    )
    app = App.build(load_config(path))
    try:
        seed_digest_day(app.store)
    finally:
        app.close()
    return path


def test_preview_writes_a_self_contained_page(
    write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    config = seeded_config(write_config, 25)
    out = tmp_path / "out" / "digest.html"
    done = listener("digest", "--date", "2026-11-20", "--preview", str(out), config=config)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "舆情日报 · 2026-11-20" in page
    assert page.count('src="data:image/png;base64,') == 2 and "cid:" not in page
    assert f"wrote {out}" in done.stdout


def test_text_in_another_group_language(write_config: Callable[[str], Path]) -> None:
    config = seeded_config(write_config, 25)
    done = listener("digest", "--group", "intl", "--date", "2026-11-20", "--text", config=config)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Daily listening digest 2026-11-20")


def test_send_now_delivers_once(write_config: Callable[[str], Path]) -> None:
    with smtp_server() as box:
        config = seeded_config(write_config, box.port)
        sent = listener("digest", "--date", "2026-11-20", "--send", config=config)
        assert sent.returncode == 0, sent.stderr
        assert "digest sent: 1" in sent.stdout
        again = listener("digest", "--date", "2026-11-20", "--send", config=config)
        assert again.returncode == 1 and "already sent" in again.stderr
        (mail,) = box.delivered
    assert mail.recipients == ["ceo@example.com"]
    assert mail.message["Subject"] == "舆情日报 2026-11-20"
    status = listener("status", config=config)
    assert "outbox: pending 0, dead 0, sent (last 7 days) 1" in status.stdout


def test_send_to_a_server_that_is_down_fails_clearly(write_config: Callable[[str], Path]) -> None:
    config = seeded_config(write_config, 9)  # nothing listens on port 9
    done = listener("digest", "--date", "2026-11-20", "--send", config=config)
    assert done.returncode == 1
    assert "digest retry: 1" in done.stdout
    assert "not every notifier took the digest" in done.stderr


def test_bad_arguments(write_config: Callable[[str], Path]) -> None:
    config = seeded_config(write_config, 25)
    assert listener("digest", config=config).returncode == 2
    unknown = listener("digest", "--group", "nobody", "--text", config=config)
    assert unknown.returncode == 2 and "no digest group named 'nobody'" in unknown.stderr
