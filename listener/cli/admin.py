"""Operating Listener: ``config check``, ``kibana setup``, ``prune``, ``digest``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from listener.cli.common import fail, guarded, load, out, parse_when
from listener.config.loader import load_config, resolve_config_path
from listener.domain import utcnow
from listener.plugins import build_store


@click.group()
def config() -> None:
    """Configuration tools."""


@config.command("check")
@click.argument("file", required=False)
@click.pass_context
def config_check(ctx: click.Context, file: str | None) -> None:
    """Validate FILE (default: the configuration in use) and report every problem."""
    path = guarded(lambda: resolve_config_path(file or ctx.obj["config_path"]))
    cfg = guarded(lambda: load_config(path))
    out.print(
        f"ok: {path}: {len(cfg.brands)} brands, {len(cfg.sources)} sources, "
        f"{len(cfg.detectors)} detectors, {len(cfg.notifiers)} notifiers"
    )


@config.command("schema")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write it to this file (default: standard output).",
)
def config_schema(output: Path | None) -> None:
    """The configuration's JSON Schema, for completion and checks in editors
    (``# yaml-language-server: $schema=listener.schema.json`` atop the YAML file)."""
    import json

    from listener.config.models import Config

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Config.model_json_schema(mode="validation"),
        "title": "Listener configuration",
    }
    text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"wrote {output} ({len(schema['$defs'])} definitions)")


@click.group()
def kibana() -> None:
    """Kibana for analysts."""


@kibana.command("setup")
@click.pass_context
def kibana_setup(ctx: click.Context) -> None:
    """Import Listener's data views, saved searches and dashboard into Kibana
    (idempotent: objects are overwritten, never duplicated)."""
    from listener.kibana import SAVED_OBJECTS, KibanaError, import_saved_objects

    config = load(ctx)
    if config.kibana is None:
        fail("no kibana section in the configuration (kibana: {url: http://kibana:5601})", 2)
    try:
        answer = import_saved_objects(config.kibana)
    except KibanaError as exc:
        fail(str(exc))
    out.print(
        f"imported {answer.get('successCount', 0)} saved objects ({SAVED_OBJECTS}) "
        f"into {config.kibana.base()}; dashboard: "
        f"{config.kibana.base(public=True)}/app/dashboards#/view/listener-overview"
    )


@click.command()
@click.option(
    "--before",
    required=True,
    help="Delete mentions published before this date (2025-12-01) or age (180d). "
    "Elasticsearch deletes whole monthly indices that end by then.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def prune(ctx: click.Context, before: str, yes: bool) -> None:
    """Retention: delete old mentions from the store (incidents and state are kept)."""
    config = load(ctx)
    cutoff = parse_when(before, config.daemon.timezone)
    assert cutoff is not None  # --before is required
    if not yes:
        click.confirm(
            f"delete every mention published before {cutoff:%Y-%m-%d %H:%M %Z}?", abort=True
        )
    store = guarded(lambda: build_store(config))
    try:
        guarded(store.setup)
        deleted = guarded(lambda: store.prune(cutoff))
    finally:
        store.close()
    out.print(f"deleted {deleted:,} mentions published before {cutoff:%Y-%m-%d}")


@click.command()
@click.option("--group", help="Recipient group (default: the first in digest.groups).")
@click.option("--date", "day", help="The day to summarise, e.g. 2026-11-22 (default: yesterday).")
@click.option(
    "--preview",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the HTML (charts inlined) to this file; nothing is sent.",
)
@click.option("--text", "as_text", is_flag=True, help="Print the plain-text part.")
@click.option("--send", is_flag=True, help="Send it now to the group's notifiers.")
@click.pass_context
def digest(
    ctx: click.Context,
    group: str | None,
    day: str | None,
    preview: Path | None,
    as_text: bool,
    send: bool,
) -> None:
    """The daily digest: preview it, print it, or send it now."""
    from alerts.digest_mail import preview_html, render, render_text
    from listener.app import App
    from listener.outbox import describe

    if not (preview or as_text or send):
        fail("say what to do: --preview FILE, --text or --send", 2)
    config = load(ctx)
    groups = {g.name: g for g in config.digest.groups}
    if not groups:
        fail("no digest groups configured (digest.groups)", 2)
    name = group or next(iter(groups))
    if name not in groups:
        fail(f"no digest group named {name!r} (configured: {', '.join(groups)})", 2)
    now = utcnow()
    if day is not None:
        start = parse_when(day, groups[name].timezone)
        assert start is not None
        now = start + timedelta(days=1, minutes=1)
    app = guarded(lambda: App.build(config))
    try:
        summary = guarded(lambda: app.digests.build(name, now))
        if preview is not None:
            preview.parent.mkdir(parents=True, exist_ok=True)
            preview.write_text(preview_html(render(summary)), encoding="utf-8")
            out.print(f"wrote {preview} ({preview.stat().st_size:,} bytes)")
        if as_text:
            print(render_text(summary))
        if send:
            queued = guarded(lambda: app.digests.send(name, now, queued_at=utcnow()))
            outcomes = app.deliveries.deliver(subject=describe(queued)[1])
            if outcomes.total() == 0:
                fail("this digest was already sent (see listener status)")
            out.print(
                "digest " + ", ".join(f"{outcome}: {n}" for outcome, n in sorted(outcomes.items()))
            )
            if set(outcomes) != {"sent"}:
                fail("not every notifier took the digest; failed ones are retried by the daemon")
    finally:
        app.close()
