"""Templated training examples for constructions the corpora rarely label.

Negation scope (不是不满意 is praise), played-down criticism (没有想象中那么糟糕),
``不得不说`` (an intensifier, not a negation), sarcasm opened by 呵呵 (praise words,
complaint meaning), slang praise (绝了) and negated praise (根本不值得). Each template
is filled from small word lists; the hand-checked sentences in
``tests/fixtures/tricky_sentiment.jsonl`` are not among the outputs (a test checks),
so that list measures generalisation, not recall. Training split only.
"""

from __future__ import annotations

import random

from models.data import Example

PRAISE_ADJ = ("满意", "喜欢", "好看", "划算", "好吃", "值得买", "推荐", "实用", "方便", "舒服")
BAD_ADJ = ("糟糕", "难用", "烂", "卡", "贵", "难吃", "麻烦", "吵", "慢", "粗糙")
MILD_PRAISE = ("整体还可以", "用着挺顺手", "性价比还行", "比预期好", "还算满意", "挺实在的")
PRAISE = (
    "做工真精致",
    "服务很周到",
    "续航很给力",
    "拍照效果惊艳",
    "物流超快",
    "味道很正",
    "设计很用心",
    "屏幕特别清楚",
)
FAKE_PRAISE = ("真是好质量啊", "这服务可真棒", "客服真是太贴心了", "真是良心企业", "效率真高啊")
COMPLAINT = (
    "用了两天就坏了",
    "电话打了十次没人接",
    "退款拖了一个月",
    "发货拖了两周",
    "问了五遍没人回",
    "修了三次还是坏",
)
SLANG = ("绝了", "yyds", "太顶了", "爱了爱了", "真香")
THING = ("这个颜色", "拍照", "这家店", "这口感", "这音质", "新系统")


def tricky_constructions(seed: int = 13, per_template: int = 120) -> list[Example]:
    rng = random.Random(seed)

    def pick(words: tuple[str, ...]) -> str:
        return rng.choice(words)

    makers = (
        (lambda: f"不是不{pick(PRAISE_ADJ)}，是非常{pick(PRAISE_ADJ)}", "positive"),
        (lambda: f"也不是不{pick(PRAISE_ADJ)}，就是没有惊喜", "neutral"),
        (lambda: f"没有想象中那么{pick(BAD_ADJ)}，{pick(MILD_PRAISE)}", "positive"),
        (lambda: f"不得不说，{pick(PRAISE)}", "positive"),
        (lambda: f"呵呵，{pick(FAKE_PRAISE)}，{pick(COMPLAINT)}", "negative"),
        (lambda: f"{pick(SLANG)}，{pick(THING)}太好了", "positive"),
        (lambda: f"根本不{pick(PRAISE_ADJ)}，{pick(COMPLAINT)}", "negative"),
        (lambda: f"一点都不{pick(PRAISE_ADJ)}", "negative"),
    )
    seen: set[str] = set()
    examples = []
    for make, label in makers:
        for _ in range(per_template):
            text = make()
            if text not in seen:
                seen.add(text)
                examples.append(Example(text, label, "weibo", "augment"))  # type: ignore[arg-type]
    return examples
