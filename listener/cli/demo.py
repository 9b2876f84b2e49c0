"""``listener demo``: watch a crisis found, announced, acknowledged and resolved."""

from __future__ import annotations

import json
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from listener.cli.common import err, fail, guarded, load, out
from listener.demo.scenario import SHANGHAI
from listener.logs import configure_logging

if TYPE_CHECKING:
    from listener.demo.run import Moment, Summary

SHOWN_LINES = 9


@click.command()
@click.option(
    "--fast", is_flag=True, help="Run unattended at full speed; print the summary as one JSON line."
)
@click.option(
    "--speed",
    default=150.0,
    show_default=True,
    help="Simulated seconds per real second in the live view (0: as fast as it goes).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/demo"),
    show_default=True,
    help="Where the demo keeps its store, spool and outbox (cleared by the next demo).",
)
@click.option("--seed", default=7, show_default=True, help="The scenario's random seed.")
@click.pass_context
def demo(ctx: click.Context, fast: bool, speed: float, data_dir: Path, seed: int) -> None:
    """A simulated afternoon for a fictional brand, through the real pipeline.

    A local simulated platform serves Weibo search JSON, a Tieba forum and a news feed;
    the real spiders, sentiment model, store, detectors, incidents and notifiers run
    against it on a clock five minutes a step. Alerts go to the console (a file in
    --data-dir) and to a local Slack stand-in; the digest is written as HTML.
    """
    from listener.demo.run import DemoError, run_demo

    base = load(ctx)
    configure_logging("warning", base.daemon.log_format)
    try:
        if fast:
            summary = guarded(lambda: run_demo(base, data_dir, 0.0, seed))
            print(json.dumps(summary.as_json(), ensure_ascii=False))
            return
        view = DemoView()
        with Live(view.render(), console=out, refresh_per_second=4) as live:

            def on_moment(moment: Moment) -> None:
                view.moment(moment)
                live.update(view.render())

            def on_phase(text: str) -> None:
                view.phase = text
                live.update(view.render())

            summary = guarded(lambda: run_demo(base, data_dir, speed, seed, on_moment, on_phase))
            view.phase = "done"
            live.update(view.render())
    except DemoError as exc:
        fail(str(exc))
    out.print()  # piped, the view's last frame ends without a line break
    out.print(summary_table(summary))
    err.print(
        f"Look further: [bold]listener search 鼓包 --data-dir {data_dir}[/], "
        f"[bold]listener status --data-dir {data_dir}[/]; the alerts as the console "
        f"notifier wrote them: {data_dir / 'alerts.log'}"
    )


class DemoView:
    """The live terminal view: the clock, the numbers, the incident, what Slack got."""

    def __init__(self) -> None:
        self.phase = "starting"
        self.last: Moment | None = None
        self.lines: deque[tuple[datetime, str]] = deque(maxlen=SHOWN_LINES)
        """The message and its thread replies, as posted."""
        self.edited: tuple[datetime, str] | None = None
        """The message's latest in-place edit (one line: they replace each other)."""

    def moment(self, moment: Moment) -> None:
        self.last = moment
        for at, line in moment.said:
            if line.startswith("edited: "):
                self.edited = (at, line.removeprefix("edited: "))
            else:
                self.lines.append((at, line))
        self.phase = "crisis" if moment.scenario.in_crisis(moment.now) else "calm"

    def render(self) -> RenderableType:
        m = self.last
        if m is None:
            return Panel(Text(f"listener demo — {self.phase}…"), title="listener demo")
        local = m.now.astimezone(SHANGHAI)
        numbers = Table.grid(padding=(0, 2))
        numbers.add_column(style="bold")
        numbers.add_column()
        numbers.add_row("simulated time", f"{local:%Y-%m-%d %H:%M} (Asia/Shanghai) · {self.phase}")
        numbers.add_row("mentions indexed", f"{m.mentions:,}")
        numbers.add_row(
            "observations collected",
            " · ".join(f"{name} {n:,}" for name, n in m.collected.items()),
        )
        share = "—" if m.negative_share_hour is None else f"{m.negative_share_hour:.0%}"
        numbers.add_row("negative share, last hour", share)
        numbers.add_row("reposts of the complaint", f"{m.root_reposts:,}")
        numbers.add_row("incident", _incident(m))
        said = Text()
        for at, line in self.lines:
            said.append(f"{at.astimezone(SHANGHAI):%H:%M} ", style="dim")
            said.append(line[:160] + "\n")
        if self.edited is not None:
            at, line = self.edited
            said.append(f"{at.astimezone(SHANGHAI):%H:%M} ", style="dim")
            said.append("the message now reads: ", style="italic")
            said.append(line[:160])
        return Group(
            Panel(numbers, title="listener demo · 星曜 (a fictional brand)"),
            Panel(
                said or Text("nothing yet", style="dim"), title="Slack #pr-alerts (local stand-in)"
            ),
        )


def _incident(m: Moment) -> str:
    inc = m.incident
    if inc is None:
        return "none"
    parts = [f"{inc.status.value} {inc.severity}", f"crisis score {inc.crisis_score:.2f}"]
    if inc.acknowledged_by:
        parts.append(f"acknowledged by {inc.acknowledged_by}")
    if inc.first_response_at:
        parts.append("brand has responded")
    parts.append("detectors: " + ", ".join(inc.detectors))
    return " · ".join(parts)


def summary_table(summary: Summary) -> Table:
    table = Table(title="What happened", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    delay = f"{summary.delay_minutes:g} min" if summary.delay_minutes is not None else "no alert"
    rows = [
        ("crisis onset", summary.onset),
        ("first alert", summary.first_alert or "none"),
        ("delay", delay),
        (
            "reposts at alert / at peak",
            f"{summary.thread_reposts_at_alert} / {summary.thread_reposts_at_peak:,}",
        ),
        ("false alerts", str(summary.false_alerts)),
        (
            "Slack",
            f"{summary.slack_messages} message, {summary.slack_updates} in-place updates, "
            f"{summary.slack_thread_replies} thread replies",
        ),
        ("mentions indexed", f"{summary.mentions:,}"),
        ("digest", summary.digest),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table
