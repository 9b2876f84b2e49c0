"""The ``listener`` command line.

Every command reads the same configuration (``--config``, else ``$LISTENER_CONFIG``,
else ``config/listener.yml``, else ``config/listener.example.yml``) and builds only what
it uses. Errors are one line per problem on standard error with a non-zero exit status:
2 for bad configuration or arguments, 1 when a store, spool or source fails.

The commands live by topic in this package; this list is the only place they are added.
"""

from __future__ import annotations

import click

from listener.cli.admin import config, digest, kibana, prune
from listener.cli.collect import crawl, run
from listener.cli.evaluate import forecast_thread_command, score_series_command
from listener.cli.history import backtest, replay_command
from listener.cli.inspect import search, status


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="FILE", help="Configuration file (YAML).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Listener: social listening and crisis early warning for brands on the Chinese internet."""
    ctx.obj = {"config_path": config_path}


for command in (
    run,
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
    cli.add_command(command)


def main() -> None:
    cli(prog_name="listener")
