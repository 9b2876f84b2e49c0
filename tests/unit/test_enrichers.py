"""Enrichers are plugins like the others: listed in the config, built by the registry."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from listener.config.loader import ConfigError
from listener.config.models import Config
from listener.domain import Mention
from listener.enrichers.pipeline import enrich
from listener.plugins import build_enrichers
from tests.factories import mention, score


def scored(m: Mention) -> Mention:
    return m.model_copy(update={"sentiment": score("negative")})


def test_the_default_enrichers_weigh_authors_and_tag_crisis_words(
    config_for: Callable[[str], Config],
) -> None:
    config = config_for("brands: [{name: 小米, crisis_terms: [断轴]}]\n")
    enrichers = build_enrichers(config)
    assert [e.name for e in enrichers] == ["influence", "crisis_terms"]
    done = enrich(scored(mention("1", "小米汽车断轴，要求召回")), enrichers)
    assert done.crisis_terms == ("召回", "断轴")  # every brand's terms, then the brand's own
    assert done.author.influence is not None and set(done.author.influence_parts) == {
        "reach",
        "verified",
        "resonance",
        "relevance",
    }
    assert done.sentiment is not None and done.sentiment.label == "negative"


def test_enrichers_are_chosen_and_tuned_in_the_config(
    config_for: Callable[[str], Config],
) -> None:
    config = config_for(
        "brands: [{name: 小米}]\nenrichers: [{type: influence, weights: {reach: 1, verified: 0}}]\n"
    )
    [only] = build_enrichers(config)
    done = enrich(scored(mention("1", "小米召回", followers=10_000_000)), [only])
    assert done.crisis_terms == ()  # not listed: not applied
    assert done.author.influence == 1.0
    with pytest.raises(ConfigError) as caught:
        config_for("brands: [{name: 小米}]\nenrichers: [{type: influence, weights: {fame: 1}}]\n")
    assert caught.value.lines()[0].startswith("enrichers[0].weights: unknown parts ['fame']")
