"""One message catalogue, zh and en: complete in both, and English everywhere when the
configuration says ``language: en``."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from alerts.catalogue import CATALOGUE, EN, ZH, Words, placeholders
from alerts.charts import volume_chart
from alerts.digest_mail import render_text
from alerts.slack_blocks import incident_blocks, thread_text
from listener.app import App
from listener.config.models import Config
from listener.domain import IncidentAction
from tests.conftest import REPO
from tests.factories import (
    DIGEST_NOW,
    T0,
    complaints,
    incident,
    incident_event,
    mention,
    seed_digest_day,
)

CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
SPEAKING = [
    *sorted((REPO / "alerts").glob("*.py")),
    *sorted((REPO / "listener" / "detectors").glob("*.py")),
    REPO / "listener" / "incidents.py",
    REPO / "listener" / "detection.py",
]


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert ZH.keys() == EN.keys()
    for key in ZH:
        assert placeholders(ZH[key]) == placeholders(EN[key]), key
    assert not [k for k, v in EN.items() if CJK.search(v)], "Chinese left in the English words"


@pytest.mark.parametrize("path", SPEAKING, ids=lambda p: p.name)
def test_no_words_for_people_outside_the_catalogue(path: Path) -> None:
    """Chinese in a string literal of a module that speaks to people (docstrings aside)
    would bypass the catalogue and reach English readers."""
    if path.name == "catalogue.py":
        return
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    literals = [
        t.string
        for t in tokens
        if t.type == tokenize.STRING and not t.string.startswith(('"""', "'''"))
    ]
    assert not [s for s in literals if CJK.search(s)]


def test_a_message_the_catalogue_does_not_know_is_shown_not_dropped() -> None:
    shown = Words("en").signal("acme.keyword_hit", {"word": "爆炸", "hits": 3})
    assert shown == "acme.keyword_hit (hits=3, word=爆炸)"
    assert Words("zh").signal("volume_spike.brand", {"minutes": 15}).startswith("volume_spike")


def test_facts_are_worded_per_language() -> None:
    facts = {"minutes": 30, "count": 12, "terms": ("召回", "起火"), "expected": 1.5}
    assert Words("zh").signal("crisis_terms.burst", facts) == (
        "危机词提及 30 分钟内 12 条（召回、起火），平时约 1.5 条"
    )
    assert Words("en").signal("crisis_terms.burst", facts) == (
        "12 mentions with crisis words (召回, 起火) in 30 min, usually about 1.5"
    )
    platform = {"platform": "weibo", "minutes": 15, "count": 40, "ratio": 5.0}
    assert "on Weibo" in Words("en").signal("volume_spike.platform", platform)
    assert Words("zh").signal("volume_spike.platform", platform).startswith("微博 上提及")
    assert (Words("zh").number(32_100), Words("en").number(32_100)) == ("3.2万", "32.1K")


def test_slack_blocks_in_english() -> None:
    event = incident_event(incident=incident(severity="P1"))
    blocks = incident_blocks(event, interactive=True, mention="S0ONCALL1", words=Words("en"))
    text = str(blocks)
    assert "P1 · 小米 · open" in blocks[0]["text"]["text"]
    assert "*47 negative mentions in 15 min, 6.0× the usual*" in blocks[1]["text"]["text"]
    for words in ("Crisis score", "Acknowledge", "Resolve", "Mute 1 h", "Open post", "followers"):
        assert words in text, words
    # the posts are shown as their authors wrote them; every other word is ours
    ours = str([b for b in blocks if "Open post" not in str(b)]).replace("小米", "")
    assert not CJK.search(ours), "every word of ours is English"
    posts = [b for b in blocks if "Open post" in str(b)]
    assert posts and all("reposts ·" in str(b) for b in posts)
    acked = event.model_copy(
        update={"action": IncidentAction(kind="acknowledged", by="U0ALICE", at=T0)}
    )
    assert thread_text(acked, Words("en")) == ":eyes: <@U0ALICE> acknowledged, on it"


def test_language_en_gives_english_alerts_digests_and_charts(
    config_for: Callable[[str], Config], tmp_path: Path
) -> None:
    log = tmp_path / "alerts.log"
    config = config_for(
        f"""
        daemon: {{data_dir: {tmp_path / "data"}, language: en, http: {{port: 0}}}}
        brands: [{{name: 小米}}]
        notifiers: [{{type: console, path: "{log}"}}]
        """
    )
    app = App.build(config)
    now = T0 + timedelta(hours=3)
    try:
        app.store.bulk_upsert(complaints(now))
        assert app.detection.detect(now)
        assert app.deliveries.deliver(now)["sent"] >= 1
        seed_digest_day(app.store)
        digest = app.digests.build("leadership", DIGEST_NOW)
    finally:
        app.close()
    alert = log.read_text(encoding="utf-8")
    assert "· new incident ·" in alert and "negative mentions in" in alert
    assert "reposts" in alert
    for chinese in ("新事件", "负面提及", "进行中", "转"):
        assert chinese not in alert.replace(complaints(now)[0].text, "")
    assert digest.language == "en"
    text = render_text(digest)
    assert text.startswith("Daily listening digest") and "Top negative threads" in text
    assert not [w for w in ZH.values() if len(w) > 3 and w in text]
    assert volume_chart([], "Asia/Shanghai", Words("en")).startswith(b"\x89PNG")


def test_every_language_key_is_known_to_both() -> None:
    assert set(CATALOGUE) == {"zh", "en"}
    assert mention("1").platform == "weibo"  # the factories' default platform has a name
    assert Words("en").platform("weibo") == "Weibo"
