"""Seeded, realistic mention streams with labelled events: ``python -m bench.scenarios.generate``.

Writes ``mentions.jsonl`` (observations, the format ``listener replay`` and
``listener backtest`` read; a re-visited thread appears once per visit with its
engagement then) and ``events.jsonl`` (brand, kind, onset, end, crisis).

The stream: brands from quiet (a mention an hour) to loud (dozens every five
minutes), a daily cycle (quiet nights, busy evenings, Beijing time), busier
weekends, one holiday, overdispersed noise, a few minutes of crawl lag. Events:
sudden surge, slow build over hours, one viral negative thread, an influencer's
negative post, a water-army burst (all crises); a positive viral moment, a
marketing campaign and the holiday (not crises).
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from listener.domain import Author, Engagement, Mention, Score, SentimentLabel

CST = timezone(timedelta(hours=8))
START = datetime(2026, 3, 2, tzinfo=CST)  # a Monday
BUCKET = timedelta(minutes=5)


@dataclass(frozen=True)
class Brand:
    name: str
    peak: float
    """Mentions per 5 minutes at the busiest time of an ordinary weekday."""
    products: tuple[str, ...]


BRANDS = (
    Brand("小米", 40.0, ("手机", "SU7", "电视", "路由器", "手环", "扫地机")),
    Brand("华为", 10.0, ("Mate", "平板", "耳机", "鸿蒙", "笔记本")),
    Brand("蔚来", 6.0, ("ET7", "ES6", "换电站", "APP")),
    Brand("钉钉", 2.0, ("打卡", "会议", "审批")),
    Brand("喜茶", 0.5, ("奶茶", "新品", "门店")),
    Brand("茶颜悦色", 0.25, ("奶茶", "门店")),
)

TEMPLATES: dict[SentimentLabel, tuple[str, ...]] = {
    "positive": (
        "{b}{p}真不错",
        "{b}的{p}用着很满意",
        "推荐{b}{p}",
        "{b}{p}体验很好，点赞",
        "终于买到{b}{p}了，开心",
        "{b}{p}比想象的好用",
    ),
    "neutral": (
        "{b}{p}今天发布了",
        "有人用过{b}{p}吗",
        "{b}{p}多少钱",
        "路过{b}{p}门店",
        "{b}{p}的参数出来了",
        "听说{b}{p}要降价",
    ),
    "negative": (
        "{b}{p}太差了",
        "{b}{p}又坏了，失望",
        "{b}{p}客服敷衍",
        "吐槽一下{b}{p}",
        "{b}{p}质量问题太多",
        "{b}{p}卡顿严重",
        "后悔买{b}{p}",
    ),
}
CRISIS = (
    "{b}{p}起火了，太可怕",
    "{b}{p}出事了，要求召回",
    "{b}{p}维权群已经三百人",
    "{b}{p}被曝光质量问题",
    "{b}{p}致人受伤，谁来负责",
)
FILLER = ("今天", "刚刚", "朋友说", "真的", "哎", "说实话", "有一说一", "姐妹们", "家人们", "")
ASIDES = (
    "，第二次了",
    "，朋友也遇到过",
    "，上周刚买的",
    "，等了半个月",
    "，客服电话打不通",
    "，价格还行",
    "，外观好看",
    "，同事推荐的",
    "，说明书看不懂",
    "，物流挺快",
    "，门店人很多",
    "，没想到",
    "，真心话",
    "，大家怎么看",
    "，有没有同款",
    "，我妈也在用",
    "，性价比一般",
    "，续航一天",
    "，颜色选了蓝的",
    "，在京东买的",
    "，打算换掉",
    "，第一次用",
    "，还在观望",
    "，去年就关注了",
    "，图片为证",
)
TAILS = ("", "[哈哈]", "[怒]", "[泪]", "!", "?", "。。。", "#日常#", "[doge]")


@dataclass
class Scenario:
    mentions: list[Mention] = field(default_factory=list)
    events: list[dict[str, object]] = field(default_factory=list)


def daily_profile(at: datetime) -> float:
    """Relative volume by Beijing time: 0.12 at 04:00, rising to 1.0 at 16:00 and after."""
    local = at.astimezone(CST)
    hour = local.hour + local.minute / 60
    return float(0.12 + 0.88 * ((1 - math.cos(2 * math.pi * (hour - 4) / 24)) / 2) ** 1.3)


class Generator:
    def __init__(self, seed: int, days: int, brands: tuple[Brand, ...] = BRANDS) -> None:
        self.rng = np.random.default_rng(seed)
        self.days = days
        self.brands = brands
        self.out = Scenario()
        self.serial = 0
        self.holiday = START + timedelta(days=min(days - 1, 4))

    # -- building blocks -----------------------------------------------------------------

    def level(self, brand: Brand, at: datetime) -> float:
        weekday = at.astimezone(CST).weekday()
        weekly = 1.15 if weekday >= 5 else 1.0
        holiday = 1.5 if self.holiday <= at < self.holiday + timedelta(days=1) else 1.0
        return brand.peak * daily_profile(at) * weekly * holiday

    def text(self, brand: Brand, label: SentimentLabel, crisis: bool = False) -> str:
        pool = CRISIS if crisis else TEMPLATES[label]
        body = pool[self.rng.integers(len(pool))].format(
            b=brand.name, p=brand.products[self.rng.integers(len(brand.products))]
        )
        lead = FILLER[self.rng.integers(len(FILLER))]
        aside = "".join(
            ASIDES[i]
            for i in self.rng.choice(len(ASIDES), int(self.rng.integers(0, 3)), replace=False)
        )
        tail = TAILS[self.rng.integers(len(TAILS))]
        return f"{lead}{body}{aside}{tail} {self.rng.integers(1000)}"

    def post(
        self,
        brand: Brand,
        at: datetime,
        label: SentimentLabel,
        *,
        text: str | None = None,
        author: Author | None = None,
        reposts: int = 0,
        native_id: str | None = None,
        lag: float | None = None,
    ) -> Mention:
        self.serial += 1
        nid = native_id or f"s{self.serial}"
        probs = {"negative": (0.85, 0.05), "neutral": (0.15, 0.15), "positive": (0.05, 0.85)}
        followers = int(self.rng.lognormal(5.0, 1.6))
        collected = at + timedelta(
            minutes=float(lag if lag is not None else self.rng.uniform(1, 8))
        )
        return Mention.create(
            platform="weibo",
            native_id=nid,
            source="scenario",
            text=text or self.text(brand, label),
            published_at=at,
            collected_at=collected,
            author=author or Author(id=f"u{self.rng.integers(10**7)}", followers=followers),
            engagement=Engagement(reposts=reposts, comments=int(reposts * 0.6)),
            brands=(brand.name,),
            matched_terms={brand.name: (brand.name,)},
            sentiment=Score(
                label=label,
                negative=probs[label][0],
                positive=probs[label][1],
                model_version="scenario",
            ),
        )

    def spread(
        self,
        brand: Brand,
        start: datetime,
        count: int,
        label: SentimentLabel,
        minutes: float,
        crisis_text: float = 0.0,
    ) -> None:
        for _ in range(count):
            at = start + timedelta(minutes=float(self.rng.uniform(0, minutes)))
            crisis = label == "negative" and self.rng.random() < crisis_text
            self.out.mentions.append(
                self.post(brand, at, label, text=self.text(brand, label, crisis))
            )

    def label(self) -> SentimentLabel:
        r = self.rng.random()
        return "negative" if r < 0.12 else "positive" if r < 0.42 else "neutral"

    # -- the stream ----------------------------------------------------------------------

    def background(self) -> None:
        steps = int(timedelta(days=self.days) / BUCKET)
        for brand in self.brands:
            for i in range(steps):
                at = START + i * BUCKET
                mean = self.level(brand, at)
                n = self.rng.negative_binomial(8, 8 / (8 + mean))
                for _ in range(int(n)):
                    when = at + timedelta(seconds=float(self.rng.uniform(0, 300)))
                    self.out.mentions.append(self.post(brand, when, self.label()))

    def event(self, brand: Brand, kind: str, onset: datetime, end: datetime, crisis: bool) -> None:
        self.out.events.append(
            {
                "brand": brand.name,
                "kind": kind,
                "onset": onset.isoformat(),
                "end": end.isoformat(),
                "crisis": crisis,
            }
        )

    def sudden_surge(self, brand: Brand, onset: datetime) -> None:
        hours = float(self.rng.uniform(1, 2))
        for i in range(int(hours * 12)):
            at = onset + i * BUCKET
            extra = self.rng.poisson(max(3.0, 4 * self.level(brand, at)))
            self.spread(brand, at, int(extra), "negative", 5, crisis_text=0.3)
        self.event(brand, "sudden_surge", onset, onset + timedelta(hours=hours), True)

    def slow_build(self, brand: Brand, onset: datetime) -> None:
        ramp, plateau = 36, 12  # 3 hours up, 1 hour at the top
        for i in range(ramp + plateau):
            at = onset + i * BUCKET
            top = max(2.0, 3 * self.level(brand, at))
            extra = self.rng.poisson(top * min(1.0, (i + 1) / ramp))
            self.spread(brand, at, int(extra), "negative", 5, crisis_text=0.2)
        self.event(brand, "slow_build", onset, onset + (ramp + plateau) * BUCKET, True)

    def viral_thread(self, brand: Brand, onset: datetime) -> None:
        author = Author(id=f"viral-{brand.name}", name="普通车主", followers=20_000)
        text = f"{brand.name}{brand.products[0]}出了严重质量问题，售后不管，大家帮忙转发"
        final = float(self.rng.uniform(1500, 4000))
        nid = f"viral-{self.serial}"
        for visit in range(1, 73):  # re-visited every 10 minutes for 12 hours
            minutes = 10 * visit
            share = 1 - (1 + minutes / 20) ** -0.8  # fast early growth, long tail
            self.out.mentions.append(
                self.post(
                    brand,
                    onset,
                    "negative",
                    text=text,
                    author=author,
                    native_id=nid,
                    reposts=int(final * share),
                    lag=minutes,
                )
            )
        self.spread(
            brand,
            onset + timedelta(minutes=20),
            int(max(6, self.level(brand, onset) * 6)),
            "negative",
            180,
        )
        self.event(brand, "viral_thread", onset, onset + timedelta(hours=6), True)

    def influencer(self, brand: Brand, onset: datetime) -> None:
        author = Author(id=f"kol-{brand.name}", name="数码大V", followers=3_000_000, verified=True)
        text = f"实测{brand.name}{brand.products[0]}，问题很多，不推荐大家购买"
        self.out.mentions.append(
            self.post(brand, onset, "negative", text=text, author=author, reposts=800, lag=4)
        )
        self.spread(
            brand,
            onset + timedelta(minutes=10),
            int(max(3, self.level(brand, onset) * 4)),
            "negative",
            60,
        )
        self.event(brand, "influencer", onset, onset + timedelta(hours=2), True)

    def water_army(self, brand: Brand, onset: datetime) -> None:
        template = f"{brand.name}{brand.products[0]}质量太差了，大家千万别买，买了就后悔"
        for i in range(40):
            at = onset + timedelta(minutes=float(self.rng.uniform(0, 8)))
            author = Author(id=f"new-{self.serial}-{i}", followers=int(self.rng.integers(0, 30)))
            self.out.mentions.append(
                self.post(
                    brand,
                    at,
                    "negative",
                    text=f"@用户{self.rng.integers(999)} {template}{TAILS[i % len(TAILS)]}",
                    author=author,
                )
            )
        self.event(brand, "water_army", onset, onset + timedelta(minutes=30), True)

    def positive_viral(self, brand: Brand, onset: datetime) -> None:
        for i in range(24):
            at = onset + i * BUCKET
            self.spread(
                brand, at, int(self.rng.poisson(max(3.0, 5 * self.level(brand, at)))), "positive", 5
            )
        self.event(brand, "positive_viral", onset, onset + timedelta(hours=2), False)

    def campaign(self, brand: Brand, onset: datetime) -> None:
        for i in range(48):
            at = onset + i * BUCKET
            n = int(self.rng.poisson(max(2.0, 3 * self.level(brand, at))))
            for _ in range(n):
                when = at + timedelta(seconds=float(self.rng.uniform(0, 300)))
                label: SentimentLabel = "positive" if self.rng.random() < 0.6 else "neutral"
                text = f"#{brand.name}新品季# {self.text(brand, label)}"
                self.out.mentions.append(self.post(brand, when, label, text=text))
        self.event(brand, "campaign", onset, onset + timedelta(hours=4), False)

    def build(self) -> Scenario:
        self.background()
        kinds = [self.sudden_surge, self.slow_build]
        extras = [
            self.viral_thread,
            self.influencer,
            self.water_army,
            self.positive_viral,
            self.campaign,
        ]
        for b, brand in enumerate(self.brands):
            plan = [*kinds, extras[b % len(extras)], extras[(b + 2) % len(extras)]]
            slots = self.rng.permutation(max(len(plan), (self.days - 2) * 2))[: len(plan)]
            for make, slot in zip(plan, slots, strict=True):
                # one event per half day after two days of history, at a random local hour
                day = START + timedelta(days=2, hours=12 * int(slot))
                onset = day + timedelta(hours=float(self.rng.uniform(1, 10)))
                make(brand, onset)
        for brand in self.brands:
            self.event(brand, "holiday", self.holiday, self.holiday + timedelta(days=1), False)
        self.out.mentions.sort(key=lambda m: m.collected_at)
        return self.out


def generate(seed: int = 1, days: int = 7, brands: tuple[Brand, ...] = BRANDS) -> Scenario:
    return Generator(seed, days, brands).build()


def write(scenario: Scenario, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mentions, events = folder / "mentions.jsonl", folder / "events.jsonl"
    with mentions.open("w", encoding="utf-8") as fh:
        for m in scenario.mentions:
            fh.write(m.model_dump_json() + "\n")
    with events.open("w", encoding="utf-8") as fh:
        for e in scenario.events:
            fh.write(json.dumps(e, ensure_ascii=False) + "\n")
    return mentions, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    scenario = generate(args.seed, args.days)
    mentions, events = write(scenario, args.folder)
    print(f"{len(scenario.mentions):,} observations → {mentions}")
    print(f"{len(scenario.events)} events → {events}")


if __name__ == "__main__":
    main()
