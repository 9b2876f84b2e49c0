"""Templated training examples for constructions the corpora rarely label.

Negation scope (不是不满意 is praise), played-down criticism (没有想象中那么糟糕),
``不得不说`` (an intensifier, not a negation), sarcasm opened by 呵呵 (praise words,
complaint meaning), slang praise (绝了) and negated praise (根本不值得); neutral
mentions a brand monitor sees every hour (questions, promotions, announcements);
and comparisons between two brands, labelled toward each of them (``A比B强多了`` is
positive for A and negative for B: the target-dependent rows); and (``brand_tagged``)
training rows tagged with a brand, so that a target alone carries no polarity. Each template
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
BRANDS = (
    "小米", "华为", "蔚来", "理想", "比亚迪", "大众", "丰田", "本田", "特斯拉", "苹果",
    "OPPO", "vivo", "海尔", "美的", "瑞幸", "星巴克", "海底捞", "联想", "吉利", "长安",
)  # fmt: skip
ASPECT = ("续航", "动力", "拍照", "做工", "售后", "口感", "屏幕", "油耗", "音质", "性价比")
QUESTION = (
    "{b}的{a}到底怎么样？",
    "有人用过{b}吗，{a}如何",
    "请问{b}新款什么时候上市？",
    "{b}和别家比{a}差别大吗？",
    "想买{b}，{a}方面有什么要注意的吗",
)
NOTICE = (
    "{b}官方旗舰店即日起全场满300减40，活动持续到月底",
    "{b}宣布新款将于下周三发布，售价暂未公布",
    "{b}今日发布三季度财报，营收同比增长{n}%",
    "{b}门店营业时间调整为早九点至晚十点",
    "据悉，{b}将在{n}个城市新开体验店",
    "{b}回应称相关产品已按规定送检，结果将及时公布",
    "{b}新车型申报信息曝光，续航{n}0公里",
)
BETTER = (
    "{x}的{a}比{y}强多了",
    "{x}{a}完胜{y}",
    "换了{x}才知道{y}的{a}有多差",
    "{y}的{a}跟{x}比差远了",
    "还是{x}靠谱，{y}的{a}太拉胯",
    "放弃{y}选了{x}，{a}好太多",
    "{y}被{x}吊打，{a}根本没法比",
    "论{a}，{x}甩{y}几条街",
)
"""Positive for x, negative for y."""
BYSTANDER = (
    "{x}{a}出问题被大量投诉，{y}暂未受影响",
    "{x}因{a}问题召回，{y}表示将持续关注",
    "{x}售后推诿被曝光，同行{y}未被点名",
)
"""Negative for x; y is only mentioned: neutral."""


TAGGED = ("#{b}# {t}", "【{b}】{t}", "{b}：{t}", "{t} @{b}官方")


def brand_tagged(examples: list[Example], per_label: int, seed: int = 13) -> list[Example]:
    """Rows whose target is a brand the text was tagged with (``#小米# …``), polarity as the
    row's own: reviews for the two polar classes, the three-class corpora's untargeted
    neutral rows for neutral, ``per_label`` of each. Without them every targeted training
    row comes from stance and financial data, mostly negative, and a target alone would
    tilt a post toward negative."""
    rng = random.Random(seed)
    pools = {
        "positive": [e for e in examples if e.domain == "reviews" and e.label == "positive"],
        "negative": [e for e in examples if e.domain == "reviews" and e.label == "negative"],
        "neutral": [
            e for e in examples if e.domain == "mentions" and e.label == "neutral" and not e.entity
        ],
    }
    out = []
    for label, pool in pools.items():
        for e in rng.sample(pool, min(per_label, len(pool))):
            brand = rng.choice(BRANDS)
            text = rng.choice(TAGGED).format(b=brand, t=e.text)
            out.append(Example(text, label, "mentions", "augment", brand))  # type: ignore[arg-type]
    return out


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
    seen: set[tuple[str, str]] = set()
    examples = []

    def add(text: str, label: str, domain: str, entity: str = "") -> None:
        if (text, entity) not in seen:
            seen.add((text, entity))
            examples.append(Example(text, label, domain, "augment", entity))  # type: ignore[arg-type]

    for make, label in makers:
        for _ in range(per_template):
            add(make(), label, "weibo")
    for _ in range(per_template * 2):
        brand, aspect, n = pick(BRANDS), pick(ASPECT), str(rng.randint(3, 40))
        template = pick(QUESTION + NOTICE)
        text = template.format(b=brand, a=aspect, n=n)
        add(text, "neutral", "mentions", brand if rng.random() < 0.7 else "")
    for _ in range(per_template * 4):
        x, y = rng.sample(BRANDS, 2)
        text = pick(BETTER).format(x=x, y=y, a=pick(ASPECT))
        add(text, "positive", "mentions", x)
        add(text, "negative", "mentions", y)
    for _ in range(per_template):
        x, y = rng.sample(BRANDS, 2)
        text = pick(BYSTANDER).format(x=x, y=y, a=pick(ASPECT))
        add(text, "negative", "mentions", x)
        add(text, "neutral", "mentions", y)
    return examples
