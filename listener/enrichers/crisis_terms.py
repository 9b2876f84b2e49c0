"""Crisis vocabulary: which crisis terms a mention carries (维权, 召回, 起火…), from
``detection.crisis_terms`` for every brand and each brand's own ``crisis_terms``; the
crisis-terms detector counts the mentions that carry any."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, Self

from listener.domain import Mention
from listener.enrichers.base import Enricher, EnricherConfig
from listener.plugin import PluginContext
from listener.textfold import fold

DEFAULT_CRISIS_TERMS = (
    "维权",
    "投诉",
    "曝光",
    "召回",
    "退款",
    "315",
    "爆炸",
    "起火",
    "自燃",
    "中毒",
    "致癌",
    "欺诈",
    "诈骗",
    "跑路",
    "虚假宣传",
    "质量问题",
    "集体诉讼",
    "起诉",
    "立案",
    "死亡",
    "受伤",
    "黑幕",
    "翻车",
    "塌房",
    "抵制",
    "道歉",
)

Vocabulary = Mapping[str, tuple[str, ...]]
"""Crisis terms per brand; the entry under "" applies to every brand."""


def crisis_terms(text: str, vocabulary: Iterable[str]) -> tuple[str, ...]:
    """The vocabulary's terms the text contains, compared in the matching form."""
    folded = fold(text)
    return tuple(term for term in vocabulary if fold(term) in folded)


class CrisisTermsEnricherConfig(EnricherConfig):
    type: Literal["crisis_terms"] = "crisis_terms"


class CrisisTermsEnricher(Enricher):
    Config = CrisisTermsEnricherConfig

    def __init__(self, config: EnricherConfig, vocabulary: Vocabulary | None = None) -> None:
        super().__init__(config)
        self.vocabulary: Vocabulary = vocabulary or {"": DEFAULT_CRISIS_TERMS}

    @classmethod
    def from_config(cls, config: EnricherConfig, ctx: PluginContext) -> Self:
        return cls(config, ctx.crisis_vocabulary)

    def enrich(self, mention: Mention) -> Mention:
        words = dict.fromkeys(self.vocabulary.get("", ()))
        for brand in mention.brands:
            words.update(dict.fromkeys(self.vocabulary.get(brand, ())))
        found = crisis_terms("\n".join((mention.title, mention.text)), words)
        return mention.model_copy(update={"crisis_terms": found})
