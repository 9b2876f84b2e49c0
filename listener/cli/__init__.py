"""The ``listener`` command line.

Every command reads the same configuration (``--config``, before or after the
command's name, else ``$LISTENER_CONFIG``, else ``config/listener.yml``, else
``config/listener.example.yml``) and builds only what it uses. Errors are one line per
problem on standard error with a non-zero exit status: 2 for bad configuration or
arguments, 1 when a store, spool or source fails.

The commands live by topic in this package; this list is the only place they are added.
"""

from __future__ import annotations

from pathlib import Path

import click

from listener.cli.admin import config, digest, kibana, prune
from listener.cli.collect import crawl, run
from listener.cli.demo import demo
from listener.cli.evaluate import forecast_thread_command, score_series_command
from listener.cli.history import backtest, replay_command
from listener.cli.inspect import search, status

CONFIG_HELP = "Configuration file (YAML)."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.version_option(package_name="listener", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Listener: social listening and crisis early warning for brands on the Chinese internet."""
    ctx.obj = {"config_path": config_path}


def _after_command(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["config_path"] = value


def _accept_config(command: click.Command) -> None:
    """``listener status --config X`` as well as ``listener --config X status``."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_config(sub)
        return
    command.params.append(
        click.Option(
            ["--config", "config_path"],
            metavar="FILE",
            help=CONFIG_HELP,
            expose_value=False,
            callback=_after_command,
        )
    )


def _read_data_dir(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is None:
        return
    if not (value / "listener.sqlite3").is_file():
        raise click.BadParameter(f"{value}: no Listener store here (listener.sqlite3)")
    ctx.ensure_object(dict)["data_dir"] = value.resolve()


for command in (search, status, digest):
    command.params.append(
        click.Option(
            ["--data-dir", "data_dir"],
            metavar="DIR",
            type=click.Path(path_type=Path, file_okay=False),
            help="Read the SQLite store in DIR (a replay's) instead of the configured store.",
            expose_value=False,
            callback=_read_data_dir,
        )
    )

for command in (
    run,
    demo,
    crawl,
    search,
    status,
    replay_command,
    backtest,
    digest,
    prune,
    config,
    kibana,
    score_series_command,
    forecast_thread_command,
):
    _accept_config(command)
    cli.add_command(command)


def main() -> None:
    cli(prog_name="listener")
