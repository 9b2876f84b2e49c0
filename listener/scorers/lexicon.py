"""A small Chinese sentiment lexicon with negation: the fallback scorer.

It needs no model files and scores thousands of posts a second, which makes it
the embedded default until a trained model is configured. It is deliberately
simple: counts of positive and negative cue words (and Weibo emoji codes),
flipped by a negator right before them, squashed into probabilities.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal

from listener.domain import Score
from listener.scorers.base import ScorerConfig, ScorerPlugin
from listener.textfold import model_form

POSITIVE = (
    "好用",
    "好评",
    "喜欢",
    "满意",
    "推荐",
    "不错",
    "点赞",
    "支持",
    "感谢",
    "优秀",
    "流畅",
    "漂亮",
    "划算",
    "靠谱",
    "惊喜",
    "开心",
    "值得",
    "给力",
    "完美",
    "贴心",
    "好吃",
    "好看",
    "棒",
    "赞",
    "爱了",
    "良心",
    "省心",
    "专业",
    "及时",
    "[赞]",
    "[哈哈]",
    "[爱你]",
    "[good]",
)
NEGATIVE = (
    "垃圾",
    "差评",
    "失望",
    "投诉",
    "维权",
    "退款",
    "骗",
    "坑",
    "烂",
    "卡顿",
    "发热",
    "故障",
    "质量问题",
    "恶心",
    "愤怒",
    "后悔",
    "难用",
    "欺诈",
    "曝光",
    "召回",
    "起火",
    "爆炸",
    "中毒",
    "致癌",
    "跑路",
    "无良",
    "敷衍",
    "太差",
    "很差",
    "差劲",
    "黑心",
    "糟糕",
    "崩溃",
    "坏了",
    "不行",
    "气死",
    "吐槽",
    "避雷",
    "踩雷",
    "[怒]",
    "[泪]",
    "[衰]",
    "[怒骂]",
    "[抓狂]",
)
NEGATORS = ("不", "没", "没有", "别", "无", "非", "不是", "毫不")
_POLARITY = {**dict.fromkeys(POSITIVE, 1), **dict.fromkeys(NEGATIVE, -1)}
_CUE_RE = re.compile("|".join(re.escape(w) for w in sorted(_POLARITY, key=len, reverse=True)))


class LexiconScorerConfig(ScorerConfig):
    type: Literal["lexicon"] = "lexicon"
    neutral_band: float = 0.5
    """|positive − negative cue weight| below this is neutral."""


class LexiconScorer(ScorerPlugin):
    Config = LexiconScorerConfig
    config: LexiconScorerConfig
    version = "lexicon-1"

    def __init__(self, config: ScorerConfig | None = None) -> None:
        assert config is None or isinstance(config, LexiconScorerConfig)
        super().__init__(config or LexiconScorerConfig())

    def _polarity(self, text: str) -> float:
        total = 0.0
        for match in _CUE_RE.finditer(text):
            weight = float(_POLARITY[match.group(0)])
            before = text[max(0, match.start() - 2) : match.start()]
            if any(before.endswith(n) for n in NEGATORS) and not match.group(0).startswith("不"):
                weight = -weight
            total += weight
        return total

    def score(
        self, texts: Sequence[str], targets: Sequence[str | None] | None = None
    ) -> list[Score]:
        """Cue words do not know whom they are about: ``targets`` are accepted, unused."""
        scores = []
        for text in texts:
            polarity = self._polarity(model_form(text))
            strength = 1.0 - math.exp(-abs(polarity))
            polar = 0.5 + 0.45 * strength
            if abs(polarity) < self.config.neutral_band:
                scores.append(
                    Score(label="neutral", negative=0.15, positive=0.15, model_version=self.version)
                )
            elif polarity > 0:
                scores.append(
                    Score(
                        label="positive",
                        negative=round(1 - polar - 0.05, 4),
                        positive=round(polar, 4),
                        model_version=self.version,
                    )
                )
            else:
                scores.append(
                    Score(
                        label="negative",
                        negative=round(polar, 4),
                        positive=round(1 - polar - 0.05, 4),
                        model_version=self.version,
                    )
                )
        return scores
