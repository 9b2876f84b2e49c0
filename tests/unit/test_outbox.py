"""The outbox: durable, ordered per subject, deduplicated, with backoff."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from alerts.base import Delivery
from listener.domain import SourceHealth
from listener.outbox import NotifierState, Outbox
from tests.conftest import REPO
from tests.factories import T0, incident, incident_event

NOW = T0.timestamp()


def test_the_same_change_is_queued_once(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    event = incident_event()
    assert outbox.put("slack", event, NOW)
    assert not outbox.put("slack", event, NOW + 60)  # a second detection pass, same change
    assert outbox.put("email", event, NOW)  # another notifier is another message
    assert outbox.put("slack", event, NOW, Delivery(channel="#escalation"))  # another channel
    later = incident_event("updated", incident=incident(updated_at=T0 + timedelta(minutes=1)))
    assert outbox.put("slack", later, NOW)
    assert outbox.depth(NOW).pending == 4
    outbox.close()


def test_messages_survive_a_restart_and_keep_their_order(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path)
    first = incident_event()
    second = incident_event("updated", incident=incident(updated_at=T0 + timedelta(minutes=1)))
    outbox.put("slack", first, NOW)
    outbox.put("slack", second, NOW)
    outbox.put("slack", SourceHealth(source="weibo", healthy=False, reason="login wall"), NOW)
    outbox.close()

    outbox = Outbox(path)  # a crash, a restart
    due = outbox.claim(NOW)
    # the update waits behind its incident's announcement; the source alert does not
    assert [(i.kind, i.message == first) for i in due] == [("incident", True), ("source", False)]
    outbox.retry(due[0], NOW + 30, "HTTP 503")
    assert outbox.claim(NOW + 10) == []  # the update is held behind it; the source is taken
    outbox.sent(due[1], NOW + 10)
    announced = outbox.claim(NOW + 30)
    assert len(announced) == 1 and announced[0].attempts == 1 and announced[0].message == first
    outbox.sent(announced[0], NOW + 30)
    (update,) = outbox.claim(NOW + 30)
    assert update.message == second
    outbox.dead(update, NOW + 31, "channel_not_found")
    assert outbox.depth(NOW + 31).pending == 0
    assert outbox.failures() == [("slack", "inc0001", "channel_not_found")]
    assert outbox.purge(NOW + 40) == 2  # delivered ones are forgotten; dead ones are kept
    assert outbox.depth(NOW + 40).dead == 1
    outbox.close()


def test_a_claimed_message_goes_to_one_deliverer_until_its_lease_ends(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    daemon, cli = Outbox(path), Outbox(path)  # two processes on one outbox
    daemon.put("mail", incident_event(), NOW)
    (taken,) = daemon.claim(NOW, lease=120)
    assert cli.claim(NOW + 1) == []
    (again,) = cli.claim(NOW + 121)  # the daemon died while sending: handed out again
    assert again.id == taken.id
    cli.sent(again, NOW + 122)
    assert daemon.claim(NOW + 500) == []
    daemon.close()
    cli.close()


def test_a_restart_hands_back_at_once_what_a_killed_process_had_claimed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outbox.sqlite3"
    killed = subprocess.run(  # a deliverer that claimed a message and was killed mid-send
        [sys.executable, "-c", CLAIM_AND_DIE, str(path), str(NOW)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert killed.returncode == -9, killed.stderr
    restarted = Outbox(path)
    assert restarted.claim(NOW + 1) == []  # still under the dead process's lease
    assert restarted.release_orphans() == 1
    (again,) = restarted.claim(NOW + 1)  # due now, not 120 s later
    assert again.subject == incident_event().incident.id
    other = Outbox(path)
    assert other.release_orphans() == 0  # a live deliverer's claim is left alone
    restarted.close()
    other.close()


CLAIM_AND_DIE = """
import os, signal, sys
from pathlib import Path
from listener.outbox import Outbox
from tests.factories import incident_event
box = Outbox(Path(sys.argv[1]))
box.put("mail", incident_event(), float(sys.argv[2]))
assert box.claim(float(sys.argv[2]))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_paused_notifier_does_not_hold_others(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    outbox.put("slack", incident_event(), NOW)
    outbox.put("email", incident_event(), NOW)
    assert [i.notifier for i in outbox.claim(NOW, skip=frozenset({"slack"}))] == ["email"]
    outbox.close()


def test_notifier_state_is_durable_and_separate(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path)
    NotifierState(outbox, "slack").put("thread:inc1", "1.0001")
    NotifierState(outbox, "slack").put("thread:inc1", "1.0002")
    outbox.close()
    outbox = Outbox(path)
    assert NotifierState(outbox, "slack").get("thread:inc1") == "1.0002"
    assert NotifierState(outbox, "slack-2").get("thread:inc1") is None
    outbox.close()
