"""History through the pipeline: ``listener replay`` and ``listener backtest``."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.table import Table

from listener.cli.common import err, fail, guarded, load, out, parse_when, replay_progress
from listener.config.models import Config
from listener.config.types import parse_duration
from listener.domain import Mention
from listener.plugins import build_notifiers, build_store


def _observations(path: Path, step: str, config: Config) -> tuple[list[Mention], timedelta]:
    """The replay file's observations about a configured brand and the step, or a
    one-line error (exit 2)."""
    from listener.crawling import crawl_brands
    from listener.replay import ReplayError, match_brands, read_observations
    from spiders.brandmatch import BrandMatcher

    try:
        observations = read_observations(path)
        interval = parse_duration(step)
    except (ReplayError, ValueError) as exc:
        fail(str(exc), 2)
    if not observations:
        fail(f"{path}: no mentions to replay", 2)
    matched = match_brands(observations, BrandMatcher(crawl_brands(config)))
    brands = "、".join(b.name for b in config.brands) or "none"
    if not matched.kept:
        fail(
            f"{path}: none of its {len(observations)} observations mentions a configured "
            f"brand ({brands}): add the brand (or an alias) under brands: in the config",
            2,
        )
    if matched.dropped:
        err.print(
            f"[yellow]warning:[/] {matched.dropped} of {len(observations)} observations "
            f"mention no configured brand ({brands}) and are left out",
            highlight=False,
            soft_wrap=True,
        )
    return matched.kept, interval


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
@click.option(
    "--notifiers",
    "only",
    metavar="NAME,…",
    help="Send only through these configured notifiers; `console` is always available.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Send nothing: list what each notifier would have sent, and when.",
)
@click.pass_context
def replay_command(
    ctx: click.Context,
    file: Path,
    speed: float,
    step: str,
    data_dir: Path | None,
    only: str | None,
    dry_run: bool,
) -> None:
    """Push historical mentions (JSON lines: `search --json` output, or posts in the
    jsonl source's format) through the pipeline on a simulated clock."""
    from listener.app import App
    from listener.replay import DryRun, Step, replay

    config = _choose_notifiers(load(ctx), only)
    observations, interval = _observations(file, step, config)
    folder = (data_dir or Path(tempfile.mkdtemp(prefix="listener-replay-"))).resolve()
    scratch = config.scratch(folder)
    stand_ins: dict[str, DryRun] = {}
    if dry_run:
        for name, real in guarded(lambda: build_notifiers(scratch)).items():
            stand_ins[name] = DryRun(name, real.words.language, real.edits_in_place)
            real.close()
    app = guarded(lambda: App.build(scratch, stand_ins or None, routed=True))

    def stamp(step: Step) -> None:
        for stand_in in stand_ins.values():
            stand_in.stamp(step.now)

    try:
        with replay_progress(observations, interval) as advance:
            for done in replay(app, observations, interval, speed, on_step=advance):
                stamp(done)
        incidents = app.store.list_incidents()
    finally:
        app.close()
    tz = ZoneInfo(config.daemon.timezone)
    first, last = (observations[i].collected_at.astimezone(tz) for i in (0, -1))
    span = f"{first:%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M} {config.daemon.timezone}"
    out.print(
        f"replayed {len(observations)} observations ({span}): "
        f"{len(incidents)} incident{'' if len(incidents) == 1 else 's'}",
        highlight=False,
    )
    for inc in sorted(incidents, key=lambda i: i.opened_at):
        out.print(
            f"  {inc.opened_at.astimezone(tz):%m-%d %H:%M} [{inc.severity}] {inc.brand} "
            f"{inc.status}: {', '.join(inc.detectors)}",
            highlight=False,
        )
    for name, stand_in in stand_ins.items():
        out.print(f"{name} (dry run) would have sent {len(stand_in.sent)} messages:")
        for sent in stand_in.sent:
            when = f"{sent.at.astimezone(tz):%m-%d %H:%M}" if sent.at else "--"
            out.print(f"  {when} {sent.text}", highlight=False)
    out.print(
        f"the store is in {folder}: look with `listener status --data-dir {folder}` "
        f"(also search and digest)",
        highlight=False,
        soft_wrap=True,
    )


def _choose_notifiers(config: Config, only: str | None) -> Config:
    """The configuration with only the notifiers named in ``only`` (comma-separated)."""
    from alerts.console import ConsoleNotifierConfig

    if only is None:
        return config
    names = [n.strip() for n in only.split(",") if n.strip()]
    configured = {n.name: n for n in config.notifiers}
    unknown = [n for n in names if n not in configured and n != "console"]
    if unknown:
        known = ", ".join(sorted({*configured, "console"}))
        fail(f"--notifiers: no notifier named {', '.join(unknown)} (configured: {known})", 2)
    chosen = [configured.get(n) or ConsoleNotifierConfig(name=n) for n in names]
    return config.model_copy(update={"notifiers": chosen})


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
        observations, interval = _observations(file, step, config)
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
