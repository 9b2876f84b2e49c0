"""The ``listener`` command line.

Every command reads the same configuration (``--config``, else
``$LISTENER_CONFIG``, else ``config/listener.yml``, else
``config/listener.example.yml``). Errors are one line per problem on standard
error with a non-zero exit status: 2 for bad configuration or arguments, 1 when
a store, spool or source fails.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from listener.config.loader import ConfigError, load_config, resolve_config_path
from listener.config.models import Config
from listener.config.types import parse_duration
from listener.domain import SENTIMENT_LABELS, Mention, utcnow
from listener.logs import configure_logging
from listener.plugins import build_store
from listener.spool import NoSpool, SpoolError, open_existing
from listener.stores.base import MentionQuery, StoreError

T = TypeVar("T")
out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


def guarded(work: Callable[[], T]) -> T:
    """Turn the errors a person can act on into one line and an exit status."""
    try:
        return work()
    except ConfigError as exc:
        for line in exc.lines():
            err.print(f"[bold red]config error:[/] {line}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except (StoreError, SpoolError) as exc:
        fail(str(exc))


def _config(ctx: click.Context) -> Config:
    path: Path = guarded(lambda: resolve_config_path(ctx.obj["config_path"]))
    config: Config = guarded(lambda: load_config(path))
    configure_logging(config.daemon.log_level, config.daemon.log_format)
    return config


def parse_when(value: str | None, timezone: str) -> datetime | None:
    """``2h`` / ``7d`` (that long ago), or an ISO date/time (local to ``timezone`` if naive)."""
    if value is None:
        return None
    try:
        return utcnow() - parse_duration(value)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: use 2h, 7d or an ISO date such as 2026-11-01"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(timezone))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="FILE", help="Configuration file (YAML).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Listener: social listening and crisis early warning for brands on the Chinese internet."""
    ctx.obj = {"config_path": config_path}


@cli.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the daemon: crawl, index, detect, notify, until SIGTERM or Ctrl-C."""
    from listener.app import App
    from listener.daemon import Daemon

    config = _config(ctx)
    app = guarded(lambda: App.build(config))
    Daemon(app).run_forever()


@cli.command()
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

    config = _config(ctx)
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


@cli.command()
@click.argument("query", default="")
@click.option("--brand", multiple=True, help="Only this brand (repeatable).")
@click.option("--platform", multiple=True, help="Only this platform (repeatable).")
@click.option("--sentiment", multiple=True, type=click.Choice(SENTIMENT_LABELS))
@click.option("--since", help="2h, 7d or an ISO date/time.")
@click.option("--until", help="2h, 7d or an ISO date/time.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option(
    "--sort", type=click.Choice(["newest", "engagement"]), default="newest", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    brand: tuple[str, ...],
    platform: tuple[str, ...],
    sentiment: tuple[Any, ...],
    since: str | None,
    until: str | None,
    limit: int,
    sort: Any,
    as_json: bool,
) -> None:
    """Search indexed mentions: every word (or "quoted phrase") of QUERY must occur."""
    config = _config(ctx)
    tz = config.daemon.timezone
    unknown = [b for b in brand if b not in {x.name for x in config.brands}]
    if unknown:
        fail(f"no brand named {unknown[0]!r} in the configuration", 2)
    q = MentionQuery(
        text=query,
        brands=brand,
        platforms=platform,
        sentiments=sentiment,
        since=parse_when(since, tz),
        until=parse_when(until, tz),
        limit=limit,
        order=sort,
    )
    store = guarded(lambda: build_store(config.storage, config.daemon.data_dir))
    try:
        page = guarded(lambda: store.search(q))
    finally:
        store.close()
    if as_json:
        for m in page.mentions:
            out.print_json(m.model_dump_json(), indent=None)
        return
    table = Table(
        title=f"{page.total} mentions" + (f" matching {query!r}" if query else ""),
        title_justify="left",
        expand=True,
    )
    for column in ("published", "platform", "brands", "sent.", "author", "text", "eng."):
        table.add_column(
            column, overflow="fold", no_wrap=column != "text", ratio=6 if column == "text" else None
        )
    zone = ZoneInfo(tz)
    for m in page.mentions:
        table.add_row(
            m.published_at.astimezone(zone).strftime("%m-%d %H:%M"),
            m.platform,
            ",".join(m.brands),
            m.sentiment.label[:3] if m.sentiment else "-",
            m.author.name or m.author.id,
            " ".join(m.text.split())[:140],
            str(m.engagement.total),
        )
    out.print(table)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Spool depth, each source's last crawl and health, open incidents."""
    config = _config(ctx)
    depth: dict[str, int] | None = None
    dead: list[tuple[int, str, str]] = []
    try:
        with open_existing(config.spool_path) as spool:
            depth = spool.depth().as_dict()
            dead = spool.dead_letters(5)
    except NoSpool:
        pass  # no crawl has run yet: said below
    except SpoolError as exc:
        fail(str(exc))
    outbox = _outbox_state(config)
    store = guarded(lambda: build_store(config.storage, config.daemon.data_dir))
    try:
        guarded(store.setup)
        health = {h.source: h for h in guarded(store.all_source_health)}
        incidents = guarded(lambda: store.list_incidents(open_only=True))
    finally:
        store.close()
    if as_json:
        print(
            json.dumps(
                {
                    "spool": depth,
                    "sources": {
                        s.name: health[s.name].model_dump(mode="json") if s.name in health else None
                        for s in config.sources
                    },
                    "open_incidents": [i.model_dump(mode="json") for i in incidents],
                    "outbox": outbox,
                },
                ensure_ascii=False,
            )
        )
        return
    zone = ZoneInfo(config.daemon.timezone)

    def when(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else "never"

    if depth is None:
        out.print("spool: empty (no crawl has run yet)")
    else:
        out.print("spool: " + ", ".join(f"{k} {v}" for k, v in depth.items()))
        for seq, mention_id, reason in dead:
            out.print(f"  dead letter #{seq} {mention_id}: {reason}")
    _print_outbox(outbox)
    table = Table(title="sources", title_justify="left")
    columns = ("source", "platform", "health", "last run", "last success", "items", "errors")
    for column in (*columns, "failed runs", "note"):
        table.add_column(column)
    for s in config.sources:
        h = health.get(s.name)
        state = "never run" if h is None else ("ok" if h.healthy else "UNHEALTHY")
        table.add_row(
            s.name,
            s.platform,
            state,
            when(h.last_run_at if h else None),
            when(h.last_success_at if h else None),
            str(h.last_items) if h else "-",
            str(h.last_errors) if h else "-",
            f"{h.failures}/{h.runs} ({h.failure_rate:.0%})" if h else "-",
            h.reason if h else "",
        )
    out.print(table)
    if not incidents:
        out.print("open incidents: none")
    for i in incidents:
        out.print(
            f"[{i.severity}] {i.brand} {i.title} ({i.status.value}, opened {when(i.opened_at)})",
            highlight=False,
        )


def _outbox_state(config: Config) -> dict[str, Any] | None:
    """What waits to be sent and what could not be (None when there is no outbox yet)."""
    from listener.outbox import Outbox, OutboxError

    if not config.outbox_path.exists():
        return None
    try:
        outbox = Outbox(config.outbox_path)
    except OutboxError as exc:
        fail(str(exc))
    try:
        depth = outbox.depth(utcnow().timestamp())
        return {**vars(depth), "failures": outbox.failures(5)}
    finally:
        outbox.close()


def _print_outbox(outbox: dict[str, Any] | None) -> None:
    if outbox is None:
        out.print("outbox: empty (nothing was ever sent)")
        return
    out.print(
        f"outbox: pending {outbox['pending']}, dead {outbox['dead']}, "
        f"sent (last 7 days) {outbox['sent']}"
    )
    for notifier, subject, reason in outbox["failures"]:
        out.print(f"  undelivered {notifier} {subject}: {reason}", highlight=False)


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
    store = guarded(lambda: build_store(config.storage, config.daemon.data_dir))
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


@contextmanager
def _replay_progress(
    observations: list[Mention], interval: timedelta
) -> Iterator[Callable[[Any], None]]:
    """A progress bar over simulated time; yields the per-step callback."""
    span = observations[-1].collected_at - observations[0].collected_at
    with Progress(
        TextColumn("replaying {task.fields[now]}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("replay", total=max(1, int(span / interval) + 1), now="")
        yield lambda step: progress.update(task, advance=1, now=step.now.strftime("%Y-%m-%d %H:%M"))


@cli.command("replay")
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

    config = _config(ctx)
    observations, interval = _observations(file, step)
    folder = data_dir or Path(tempfile.mkdtemp(prefix="listener-replay-"))
    app = guarded(lambda: App.build(scratch_config(config, folder)))
    try:
        with _replay_progress(observations, interval) as advance:
            for _ in replay(app, observations, interval, speed, on_step=advance):
                pass
        incidents = app.store.list_incidents()
    finally:
        app.close()
    out.print(
        f"replayed {len(observations)} observations into {folder}: {len(incidents)} incidents"
    )


@cli.command()
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

    config = _config(ctx)
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
        _replay_progress(observations, interval) as advance,
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


@cli.group()
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


def main() -> None:
    cli(prog_name="listener")


@cli.group()
def kibana() -> None:
    """Kibana for analysts."""


@kibana.command("setup")
@click.pass_context
def kibana_setup(ctx: click.Context) -> None:
    """Import Listener's data views, saved searches and dashboard into Kibana
    (idempotent: objects are overwritten, never duplicated)."""
    from listener.kibana import SAVED_OBJECTS, KibanaError, import_saved_objects

    config = _config(ctx)
    if config.kibana is None:
        fail("no kibana section in the configuration (kibana: {url: http://kibana:5601})", 2)
    try:
        answer = import_saved_objects(config.kibana)
    except KibanaError as exc:
        fail(str(exc))
    out.print(
        f"imported {answer.get('successCount', 0)} saved objects from {SAVED_OBJECTS.name} "
        f"into {config.kibana.base()}; dashboard: "
        f"{config.kibana.base(public=True)}/app/dashboards#/view/listener-overview"
    )


@cli.command()
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
    config = _config(ctx)
    cutoff = parse_when(before, config.daemon.timezone)
    assert cutoff is not None  # --before is required
    if not yes:
        click.confirm(
            f"delete every mention published before {cutoff:%Y-%m-%d %H:%M %Z}?", abort=True
        )
    store = guarded(lambda: build_store(config.storage, config.daemon.data_dir))
    try:
        guarded(store.setup)
        deleted = guarded(lambda: store.prune(cutoff))
    finally:
        store.close()
    out.print(f"deleted {deleted:,} mentions published before {cutoff:%Y-%m-%d}")


@cli.command()
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
    config = _config(ctx)
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
        summary = guarded(lambda: app.digest(name, now))
        if preview is not None:
            preview.parent.mkdir(parents=True, exist_ok=True)
            preview.write_text(preview_html(render(summary)), encoding="utf-8")
            out.print(f"wrote {preview} ({preview.stat().st_size:,} bytes)")
        if as_text:
            print(render_text(summary))
        if send:
            queued = guarded(lambda: app.send_digest(name, now, queued_at=utcnow()))
            outcomes = app.deliver(subject=describe(queued)[1])
            if outcomes.total() == 0:
                fail("this digest was already sent (see listener status)")
            out.print(
                "digest " + ", ".join(f"{outcome}: {n}" for outcome, n in sorted(outcomes.items()))
            )
            if set(outcomes) != {"sent"}:
                fail("not every notifier took the digest; failed ones are retried by the daemon")
    finally:
        app.close()
