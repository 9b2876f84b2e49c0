"""History through the pipeline: ``listener replay`` and ``listener backtest``."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import click
from rich.table import Table

from listener.cli.common import fail, guarded, load, out, parse_when, replay_progress
from listener.config.models import Config
from listener.config.types import parse_duration
from listener.domain import Mention
from listener.plugins import build_store


def _observations(path: Path, step: str) -> tuple[list[Mention], timedelta]:
    """The replay file's observations and the step, or a one-line error (exit 2)."""
    from listener.replay import ReplayError, read_observations

    try:
        observations = read_observations(path)
        interval = parse_duration(step)
    except (ReplayError, ValueError) as exc:
        fail(str(exc), 2)
    if not observations:
        fail(f"{path}: no mentions to replay", 2)
    return observations, interval


def _stored_observations(
    config: Config, since: str | None, until: str | None, step: str
) -> tuple[list[Mention], timedelta]:
    """The configured store's history as observations, or a one-line error."""
    from listener.replay import observations_from_store

    try:
        interval = parse_duration(step)
    except ValueError as exc:
        fail(str(exc), 2)
    store = guarded(lambda: build_store(config))
    try:
        guarded(store.setup)
        observations = guarded(
            lambda: observations_from_store(
                store,
                parse_when(since, config.daemon.timezone),
                parse_when(until, config.daemon.timezone),
            )
        )
    finally:
        store.close()
    if not observations:
        fail("the store holds no mentions in that period", 2)
    return observations, interval


@click.command("replay")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--speed",
    default=0.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Simulated seconds per real second (0: as fast as possible).",
)
@click.option("--step", default="1m", show_default=True, help="Simulated time between passes.")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    help="Where the replay's spool and store go (default: a new temporary folder).",
)
@click.pass_context
def replay_command(
    ctx: click.Context, file: Path, speed: float, step: str, data_dir: Path | None
) -> None:
    """Push historical mentions (JSON lines) through the pipeline on a simulated clock."""
    from listener.app import App
    from listener.backtest import scratch_config
    from listener.replay import replay

    config = load(ctx)
    observations, interval = _observations(file, step)
    folder = data_dir or Path(tempfile.mkdtemp(prefix="listener-replay-"))
    app = guarded(lambda: App.build(scratch_config(config, folder)))
    try:
        with replay_progress(observations, interval) as advance:
            for _ in replay(app, observations, interval, speed, on_step=advance):
                pass
        incidents = app.store.list_incidents()
    finally:
        app.close()
    out.print(
        f"replayed {len(observations)} observations into {folder}: {len(incidents)} incidents"
    )


@click.command()
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option(
    "--from-store",
    "from_store",
    is_flag=True,
    help="Replay the configured store's history instead of FILE (each mention once per "
    "collection, from its engagement snapshots); narrow it with --since/--until.",
)
@click.option("--since", help="With --from-store: history from (2026-11-01, or 30d back).")
@click.option("--until", help="With --from-store: history until (exclusive).")
@click.option(
    "--events",
    "events_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Labelled events, JSON lines: brand, kind, onset, end, crisis.",
)
@click.option("--step", default="1m", show_default=True, help="Simulated time between passes.")
@click.option(
    "--warmup",
    default="2d",
    show_default=True,
    help="History before scoring starts (baselines need it).",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def backtest(
    ctx: click.Context,
    file: Path | None,
    from_store: bool,
    since: str | None,
    until: str | None,
    events_path: Path,
    step: str,
    warmup: str,
    as_json: bool,
) -> None:
    """Replay FILE (or the store's history) with the configured detectors and score them
    against labelled events."""
    from listener.backtest import read_events, run_backtest

    config = load(ctx)
    try:
        events = read_events(events_path)
        lead = parse_duration(warmup)
    except (OSError, ValueError) as exc:
        fail(str(exc), 2)
    if (file is None) == (not from_store):
        fail("give either FILE or --from-store", 2)
    if from_store:
        observations, interval = _stored_observations(config, since, until, step)
    else:
        assert file is not None
        observations, interval = _observations(file, step)
    with (
        tempfile.TemporaryDirectory(prefix="listener-backtest-") as folder,
        replay_progress(observations, interval) as advance,
    ):
        report, _ = guarded(
            lambda: run_backtest(
                config, observations, events, interval, lead, Path(folder), on_step=advance
            )
        )
    start, end = report.start, report.end
    if as_json:
        print(report.to_json())
        return
    table = Table(
        title=f"backtest {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC", title_justify="left"
    )
    for column in (
        "detector",
        "caught",
        "median delay (min)",
        "false/brand-week",
        "precision",
        "on non-crisis events",
    ):
        table.add_column(column)
    for name, row in [("overall", report.overall), *report.detectors.items()]:
        table.add_row(
            name,
            f"{row.caught}/{row.events}",
            str(row.median_delay_min),
            str(row.false_alerts_per_brand_week),
            str(row.precision),
            str(row.alerts_on_non_crisis_events),
        )
    out.print(table)
    for kind, caught in report.overall.caught_by_kind.items():
        delay = report.overall.median_delay_by_kind_min[kind]
        out.print(f"  {kind}: caught {caught}, median delay {delay} min")
