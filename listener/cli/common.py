"""What every ``listener`` command shares: reading the configuration, one-line errors
with an exit status (2: bad configuration or arguments; 1: a store, spool or source
failed), dates and ages as people type them, progress bars."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from listener.config.loader import ConfigError, load_config, resolve_config_path
from listener.config.models import Config
from listener.config.types import parse_duration
from listener.domain import Mention, utcnow
from listener.logs import configure_logging
from listener.redact import redact
from listener.spool import SpoolError
from listener.stores.base import StoreError

T = TypeVar("T")
out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {redact(message)}", highlight=False, soft_wrap=True)
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


def load(ctx: click.Context) -> Config:
    """The configuration in use (``--config``, ``$LISTENER_CONFIG``, the defaults)."""
    path: Path = guarded(lambda: resolve_config_path(ctx.obj["config_path"]))
    config: Config = guarded(lambda: load_config(path))
    configure_logging(config.daemon.log_level, config.daemon.log_format)
    data_dir: Path | None = ctx.obj.get("data_dir")
    return config if data_dir is None else config.scratch(data_dir)


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


@contextmanager
def replay_progress(
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
