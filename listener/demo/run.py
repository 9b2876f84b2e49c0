"""``listener demo``: the real pipeline against the simulated platform, on a fast clock.

What runs is what the daemon runs: the real spiders in crawl subprocesses (Weibo,
Tieba and RSS) against ``listener.demo.platform``, the spool, the shipped sentiment
model, the configured store (the demo keeps its own SQLite file, or its own indices in a
configured Elasticsearch), the detectors, incidents, the outbox and the notifiers — the
console (to a file the view reads) and Slack, through slack-sdk, to the local stand-in
(``listener.demo.slack_server``) that records every call. Only the clock is simulated:
each step moves it five minutes, the platform serves what was posted by then, and the
crawls, detection and deliveries run at that time.

The story is told as it happens (``DemoView``) and ends with ``Summary``.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.digest_mail import preview_html, render
from listener.app import App
from listener.config.loader import parse_config
from listener.config.models import Config
from listener.demo import scenario as story
from listener.demo.platform import SimulatedPlatform
from listener.demo.slack_server import GOOD_TOKEN, SlackServer, slack_server
from listener.domain import Incident, IncidentAction, utcnow
from listener.plugins import build_store
from listener.stores.base import MentionQuery, StoreUnavailable
from listener.stores.elasticsearch import ElasticsearchStore, ElasticsearchStoreConfig

STEP = timedelta(minutes=5)
EVERY = {
    "weibo": timedelta(minutes=5),
    "tieba": timedelta(minutes=10),
    "news": timedelta(minutes=15),
}
"""How often each demo source is crawled, in simulated time."""
ACK_AFTER = timedelta(minutes=10)
"""The simulated PR lead clicks Acknowledge this long after the first alert."""
MARKER = ".listener-demo"
CHANNEL = "#pr-alerts"
DEMO_USER = "U0PRLEAD1"


class DemoError(Exception):
    """The demo cannot run (the message says why and what to do)."""


@dataclass
class Summary:
    onset: str
    first_alert: str | None
    delay_minutes: float | None
    thread_reposts_at_alert: int | None
    thread_reposts_at_peak: int
    false_alerts: int
    incidents: int
    mentions: int
    """Mentions in the store at the end..."""
    posts_published: int
    """...and posts the platform had published by then: each should be there once."""
    slack_messages: int
    slack_updates: int
    slack_thread_replies: int
    digest: str
    data_dir: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Moment:
    """What the view shows after one step."""

    now: datetime
    scenario: story.Scenario
    collected: dict[str, int]
    mentions: int
    negative_share_hour: float | None
    root_reposts: int
    incident: Incident | None
    said: list[tuple[datetime, str]] = field(default_factory=list)
    """New lines in Slack: (simulated time, what a PR lead reads)."""


OnMoment = Callable[[Moment], None]


def demo_config(base: Config, data_dir: Path, platform: str, slack_api: str) -> Config:
    """The demo's configuration: its brand, sources and notifiers; the store and the
    model of ``base`` (its Elasticsearch under a ``-demo`` index prefix)."""
    text = f"""
daemon:
  data_dir: {data_dir}
  timezone: Asia/Shanghai
  log_level: warning
brands:
  - name: {story.BRAND}
    aliases: [星曜科技, Xingyao]
    official_accounts: [{{platform: weibo, id: "{story.OFFICIAL_ID}"}}]
sources:
  - {{name: weibo, platform: weibo, base_url: "{platform}/weibo", keywords: [{story.BRAND}],
      delay: 0s, retries: 0, long_text: false, track_threads: 5, timeout: 2m}}
  - {{name: tieba, platform: tieba, base_url: "{platform}/tieba", forums: [{story.FORUM}],
      search: false, track_threads: 0, delay: 0s, retries: 0, timeout: 2m}}
  - {{name: news, platform: rss, feeds: ["{platform}/news/rss.xml"], delay: 0s, retries: 0,
      timeout: 2m}}
incidents:
  resolve_after: 45m
notifiers:
  - {{type: console, name: console, path: "{data_dir / "alerts.log"}"}}
  - {{type: slack, name: slack, token: {GOOD_TOKEN}, channel: "{CHANNEL}", base_url: "{slack_api}"}}
digest:
  groups: [{{name: leadership, notifiers: [console]}}]
"""
    config = parse_config(text, "<listener demo>", environ={})
    storage = base.storage
    if isinstance(storage, ElasticsearchStoreConfig):
        storage = storage.model_copy(update={"index_prefix": f"{storage.index_prefix}-demo"})
    # the configured e-mail notifiers hear the crisis too, and mail the digest
    mail = [n for n in base.notifiers if n.type == "email" and n.name not in ("console", "slack")]
    groups = config.digest.groups
    if mail:
        recipients = base.digest.groups[0].recipients if base.digest.groups else []
        notified = [*groups[0].notifiers, *(n.name for n in mail)]
        groups = [groups[0].model_copy(update={"notifiers": notified, "recipients": recipients})]
    return config.model_copy(
        update={
            "storage": storage,
            "model": base.model,
            "notifiers": [*config.notifiers, *mail],
            "digest": config.digest.model_copy(update={"groups": groups}),
        }
    )


def prepare(data_dir: Path) -> None:
    """An empty demo directory: a previous demo's is cleared, anything else refused."""
    if data_dir.exists() and any(data_dir.iterdir()):
        if not (data_dir / MARKER).exists():
            raise DemoError(
                f"{data_dir} is not empty and was not made by listener demo; "
                "give --data-dir an empty or new directory"
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / MARKER).write_text("made by listener demo: cleared by the next one\n")


@contextmanager
def running(
    base: Config, data_dir: Path, seed: int, slack: SlackServer | None = None
) -> Iterator[tuple[App, SimulatedPlatform, SlackServer]]:
    """The simulated platform, the Slack stand-in (``slack``, else a new one) and the
    demo's App over them."""
    scenario = story.build(utcnow(), seed)
    with ExitStack() as stack:
        platform = stack.enter_context(SimulatedPlatform(scenario))
        slack = slack or stack.enter_context(slack_server())
        config = demo_config(base, data_dir.resolve(), platform.url, slack.api)
        _clear_store(config)
        app = App.build(config)
        stack.callback(app.close)
        yield app, platform, slack


def _clear_store(config: Config) -> None:
    """A previous demo's Elasticsearch indices go (SQLite went with its directory)."""
    store = build_store(config)
    try:
        if isinstance(store, ElasticsearchStore):
            store.destroy()
    except StoreUnavailable as exc:
        raise DemoError(f"the configured Elasticsearch is not reachable: {exc}") from None
    finally:
        store.close()


def run_demo(
    base: Config,
    data_dir: Path,
    speed: float = 0.0,
    seed: int = 7,
    on_moment: OnMoment | None = None,
    on_phase: Callable[[str], None] | None = None,
    slack: SlackServer | None = None,
) -> Summary:
    """Tell the story; ``speed``: simulated seconds per real second (0: full speed);
    ``slack``: the Slack stand-in to post to (default: one of its own)."""
    prepare(data_dir)
    phase = on_phase or (lambda _text: None)
    with running(base, data_dir, seed, slack) as (app, platform, standin):
        return _tell(app, platform, standin, data_dir, speed, on_moment, phase)


def _tell(
    app: App,
    platform: SimulatedPlatform,
    slack: SlackServer,
    data_dir: Path,
    speed: float,
    on_moment: OnMoment | None,
    phase: Callable[[str], None],
) -> Summary:
    scenario = platform.scenario
    sources = {s.name: s for s in app.config.sources}
    collected = dict.fromkeys(sources, 0)
    phase("loading the sentiment model and the store")
    app.indexing  # noqa: B018  # built now: the first step should not pay for the model
    app.detection  # noqa: B018
    phase(f"collecting the last {scenario.history.days} days (backfill)")
    now = scenario.start
    platform.clock = now
    with ThreadPoolExecutor(len(sources)) as pool:

        def crawl_all(names: list[str], backfill: datetime | None = None) -> None:
            reports = pool.map(
                lambda name: app.collection.crawl(sources[name], backfill, clock=now), names
            )
            for name, report in zip(names, reports, strict=True):
                if not report.health.healthy:
                    raise DemoError(f"the demo's {name} crawl failed: {report.health.reason}")
                collected[name] += report.spooled

        crawl_all(list(sources), scenario.start - scenario.history)
        app.indexing.index()
        app.store.refresh()
        phase("the afternoon begins")
        first_alert: datetime | None = None
        acked = False
        seen_calls = 0
        while now <= scenario.end:
            started = time.monotonic()
            platform.clock = now
            due = [n for n in sources if (now - scenario.start) % EVERY[n] == timedelta(0)]
            crawl_all(due)
            app.indexing.index()
            app.store.refresh()  # the clock races: what was indexed is searched at once
            app.detection.detect(now)
            app.deliveries.deliver(now)
            said = _new_lines(slack, seen_calls, now)
            seen_calls = len(slack.calls)
            if first_alert is None and any(
                c.method == "chat.postMessage" and not c.args.get("thread_ts") for c in slack.calls
            ):
                first_alert = now
            incident = _crisis_incident(app)
            if first_alert and not acked and incident and now >= first_alert + ACK_AFTER:
                app.detection.act(
                    incident.id, IncidentAction(kind="acknowledged", by=DEMO_USER, at=now)
                )
                app.deliveries.deliver(now)
                said += _new_lines(slack, seen_calls, now)
                seen_calls = len(slack.calls)
                acked = True
                incident = _crisis_incident(app)
            if on_moment is not None:
                on_moment(_moment(app, scenario, now, collected, incident, said))
            now += STEP
            if speed > 0:
                time.sleep(max(0.0, STEP.total_seconds() / speed - (time.monotonic() - started)))
    phase("writing the daily digest")
    digest_path = _write_digest(app, scenario, data_dir)
    return _summary(app, scenario, slack, first_alert, digest_path, data_dir)


_EMOJI = re.compile(r":[a-z0-9_+-]+:\s*")
_USER = re.compile(r"<@(U[A-Z0-9]+)>")


def _new_lines(slack: SlackServer, seen: int, now: datetime) -> list[tuple[datetime, str]]:
    """What Slack got since call ``seen``, as a terminal shows it (no emoji codes)."""
    lines = []
    for call in slack.calls[seen:]:
        text = _USER.sub(r"@\1", _EMOJI.sub("", str(call.args.get("text") or "")))
        if call.method == "chat.postMessage":
            where = "thread" if call.args.get("thread_ts") else "message"
            lines.append((now, f"{where}: {text}"))
        elif call.method == "chat.update":
            lines.append((now, f"edited: {text}"))
    return lines


def _crisis_incident(app: App) -> Incident | None:
    incidents = app.store.list_incidents(open_only=False)
    return max(incidents, key=lambda i: i.opened_at) if incidents else None


def _moment(
    app: App,
    scenario: story.Scenario,
    now: datetime,
    collected: dict[str, int],
    incident: Incident | None,
    said: list[tuple[datetime, str]],
) -> Moment:
    hour = app.store.search(MentionQuery(since=now - timedelta(hours=1), until=now, limit=0))
    negative = app.store.search(
        MentionQuery(since=now - timedelta(hours=1), until=now, sentiments=("negative",), limit=0)
    )
    share = negative.total / hour.total if hour.total else None
    total = app.store.search(MentionQuery(limit=0)).total
    return Moment(
        now, scenario, dict(collected), total, share, scenario.root_reposts(now), incident, said
    )


def _write_digest(app: App, scenario: story.Scenario, data_dir: Path) -> Path:
    """The leadership digest of the demo day: sent through the group's notifiers, and
    written as the e-mail shows it."""
    local_day = scenario.start.astimezone(story.SHANGHAI)
    morning = (local_day + timedelta(days=1)).replace(hour=8, minute=30)
    digest = app.digests.send("leadership", morning, queued_at=scenario.end)
    app.deliveries.deliver(scenario.end)  # through the group's notifiers (console, e-mail)
    path = data_dir / "digest.html"
    path.write_text(preview_html(render(digest)), encoding="utf-8")
    return path


def _summary(
    app: App,
    scenario: story.Scenario,
    slack: SlackServer,
    first_alert: datetime | None,
    digest: Path,
    data_dir: Path,
) -> Summary:
    incidents = app.store.list_incidents(open_only=False)
    false_alerts = sum(1 for i in incidents if not scenario.in_crisis(i.opened_at))
    posts = slack.of("chat.postMessage")
    delay = (first_alert - scenario.onset) / timedelta(minutes=1) if first_alert else None
    return Summary(
        onset=_iso(scenario.onset),
        first_alert=_iso(first_alert) if first_alert else None,
        delay_minutes=round(delay, 1) if delay is not None else None,
        thread_reposts_at_alert=scenario.root_reposts(first_alert) if first_alert else None,
        thread_reposts_at_peak=scenario.root_reposts(scenario.end),
        false_alerts=false_alerts,
        incidents=len(incidents),
        mentions=app.store.search(MentionQuery(limit=0)).total,
        posts_published=sum(1 for p in scenario.posts if p.published_at <= scenario.end),
        slack_messages=sum(1 for c in posts if not c.args.get("thread_ts")),
        slack_updates=len(slack.of("chat.update")),
        slack_thread_replies=sum(1 for c in posts if c.args.get("thread_ts")),
        digest=str(digest),
        data_dir=str(data_dir),
    )


def _iso(at: datetime) -> str:
    return at.astimezone(story.SHANGHAI).isoformat(timespec="minutes")
