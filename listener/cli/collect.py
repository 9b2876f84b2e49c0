"""Collecting: ``listener run`` (the daemon) and ``listener crawl`` (one source now)."""

from __future__ import annotations

import threading
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from listener.cli.common import err, fail, guarded, load, out, parse_when


@click.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the daemon: crawl, index, detect, notify, until SIGTERM or Ctrl-C."""
    from listener.app import App
    from listener.daemon import Daemon

    config = load(ctx)
    app = guarded(lambda: App.build(config))
    Daemon(app).run_forever()


@click.command()
@click.argument("source")
@click.option(
    "--index/--no-index",
    default=True,
    show_default=True,
    help="Also index what was collected (else the daemon does it).",
)
@click.option(
    "--backfill",
    "backfill",
    metavar="SINCE",
    help="First run: collect everything since SINCE (a date like 2026-11-01, or a "
    "duration back from now like 7d), ignoring the cursor, with the source's "
    "backfill_page_limit.",
)
@click.pass_context
def crawl(ctx: click.Context, source: str, index: bool, backfill: str | None) -> None:
    """Crawl one SOURCE now (by its configured name)."""
    from listener.app import App

    config = load(ctx)
    source_config = config.source(source)
    if source_config is None:
        names = ", ".join(s.name for s in config.sources) or "none configured"
        fail(f"no source named {source!r} (sources: {names})", 2)
    since = parse_when(backfill, config.daemon.timezone)
    app = guarded(lambda: App.build(config))
    try:
        before = app.spool.count_by_source(source)
        done = threading.Event()
        outcome_box: list[Any] = []

        def work() -> None:
            outcome_box.append(app.crawl(source_config, since))
            done.set()

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        with err.status(f"crawling {source}…") as status:
            while not done.wait(0.5):
                status.update(
                    f"crawling {source}… "
                    f"{app.spool.count_by_source(source) - before} mentions spooled"
                )
        worker.join()
        outcome, health = outcome_box[0]
        spooled = outcome.result.items_spooled if outcome.result else 0
        if not health.healthy:
            fail(f"source {source}: {health.reason} ({spooled} mentions spooled)")
        out.print(
            f"{source}: {spooled} mentions spooled"
            + (
                f", {outcome.result.dropped_no_brand} without a brand dropped"
                if outcome.result
                else ""
            )
        )
        if index:
            _index_with_progress(app)
    finally:
        app.close()


def _index_with_progress(app: Any) -> None:
    total = app.spool.depth().pending
    indexed = 0
    with Progress(
        TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
    ) as progress:
        task = progress.add_task("index", total=total)
        while True:
            outcome = app.worker.run_once()
            indexed += outcome.indexed
            progress.update(task, completed=indexed)
            if outcome.claimed == 0 or outcome.indexed == 0:
                break
    out.print(f"{indexed} mentions indexed")
    if not app.worker.store_healthy:
        fail("the store is unavailable; mentions stay in the spool until it is back")
