"""Collecting: ``listener run`` (the daemon) and ``listener crawl`` (one source now)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from listener.cli.common import err, fail, guarded, load, out, parse_when

if TYPE_CHECKING:
    from listener.app import App
    from listener.collection import CrawlReport


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
        reports: list[CrawlReport] = []

        def work() -> None:
            reports.append(app.collection.crawl(source_config, since))
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
        [report] = reports
        result = report.outcome.result
        if not report.health.healthy:
            fail(f"source {source}: {report.health.reason} ({report.spooled} mentions spooled)")
        dropped = f", {result.dropped_no_brand} without a brand dropped" if result else ""
        out.print(f"{source}: {report.spooled} mentions spooled{dropped}")
        if index:
            _index_with_progress(app)
    finally:
        app.close()


def _index_with_progress(app: App) -> None:
    worker = app.indexing.worker
    total = app.spool.depth().pending
    indexed = 0
    with Progress(
        TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
    ) as progress:
        task = progress.add_task("index", total=total)
        while True:
            outcome = worker.run_once()
            indexed += outcome.indexed
            progress.update(task, completed=indexed)
            if outcome.claimed == 0 or outcome.indexed == 0:
                break
    if not worker.store_healthy:
        out.print(f"{indexed} mentions indexed")
        fail("the store is unavailable; mentions stay in the spool until it is back")
    if indexed:
        guarded(app.store.refresh)  # a search right after this command finds them
    out.print(f"{indexed} mentions indexed")
