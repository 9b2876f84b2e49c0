"""Looking at what was collected: ``listener search`` and ``listener status``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from rich.table import Table

from alerts.catalogue import Words
from listener.cli.common import fail, guarded, load, out, parse_when
from listener.config.models import Config
from listener.domain import SENTIMENT_LABELS, utcnow
from listener.plugins import build_store
from listener.spool import NoSpool, SpoolError, open_existing
from listener.stores.base import MentionQuery


@click.command()
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
    config = load(ctx)
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
    store = guarded(lambda: build_store(config))
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


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Spool depth, each source's last crawl and health, open incidents."""
    config = load(ctx)
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
    store = guarded(lambda: build_store(config))
    try:
        guarded(store.setup)
        health = {h.source: h for h in guarded(store.all_source_health)}
        incidents = guarded(lambda: store.list_incidents(open_only=True))
    finally:
        store.close()
    words = Words(config.daemon.language)
    if as_json:
        print(
            json.dumps(
                {
                    "spool": depth,
                    "sources": {
                        s.name: health[s.name].model_dump(mode="json") if s.name in health else None
                        for s in config.sources
                    },
                    "open_incidents": [
                        {**i.model_dump(mode="json"), "title": words.title(i)} for i in incidents
                    ],
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
            f"[{i.severity}] {i.brand} {words.title(i)} ({words.status(i.status)}, "
            f"opened {when(i.opened_at)})",
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
