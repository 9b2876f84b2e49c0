"""The demo's story: a fictional brand's calm days, then one afternoon with a crisis.

Everything is generated from a seed, so every run tells the same story:

- two calm days of Weibo mentions for 星曜 (a fictional phone and appliance maker), with
  a daily cycle, and a few news items a day;
- the demo afternoon (14:00–19:30 in Shanghai, the latest one that is over): a launch
  event's burst of praise (a positive moment, which must stay quiet), neutral news,
  then the crisis at ``onset``: an influential reviewer's complaint whose reposts grow
  faster and faster, the complaints and 维权/投诉 threads that follow it on Weibo and
  Tieba, a copy-paste water army, news of the crisis, and the brand's official answer.

The posts are what the simulated platform (``listener.demo.platform``) serves; the
root's repost count at any time is ``Scenario.root_reposts``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
BRAND = "星曜"
OFFICIAL_ID = "6100000001"
"""The brand's official Weibo account (configured as its official account)."""
FORUM = "星曜"
HISTORY = timedelta(days=2)
LIVE_START = 14  # local hour the demo afternoon starts
LIVE_LENGTH = timedelta(hours=5, minutes=30)
ONSET = timedelta(minutes=75)
"""The crisis starts this long after the afternoon does."""
CRISIS_LENGTH = timedelta(minutes=150)
"""After this long the crisis has run its course (no new complaints)."""

Platform = Literal["weibo", "tieba", "news"]
Role = Literal["calm", "campaign", "news", "crisis", "army", "official"]


@dataclass(frozen=True)
class Author:
    id: str
    name: str
    followers: int
    verified: bool = False
    verified_reason: str = ""


@dataclass(frozen=True)
class Post:
    platform: Platform
    native_id: str
    text: str
    published_at: datetime
    author: Author
    role: Role
    title: str = ""
    reposts_of: str | None = None
    """A Weibo repost: the root's native id."""
    replies: int = 0


@dataclass(frozen=True)
class Scenario:
    start: datetime
    """The demo afternoon's first minute (history lies before it)."""
    onset: datetime
    end: datetime
    posts: tuple[Post, ...]
    root: Post
    """The influential complaint the crisis grows from."""
    peak_reposts: int = 6000
    history: timedelta = HISTORY

    @property
    def crisis_end(self) -> datetime:
        return self.onset + CRISIS_LENGTH

    def root_reposts(self, at: datetime) -> int:
        """The root's repost count at ``at``: slow at first, then faster and faster,
        levelling off as the crisis runs its course (a logistic curve)."""
        if at < self.root.published_at:
            return 0
        return _reposts(self.peak_reposts, (at - self.root.published_at).total_seconds() / 60)

    def visible(self, platform: Platform, at: datetime) -> list[Post]:
        """The platform's posts published by ``at``, newest first."""
        found = [p for p in self.posts if p.platform == platform and p.published_at <= at]
        found.sort(key=lambda p: p.published_at, reverse=True)
        return found

    def in_crisis(self, at: datetime) -> bool:
        return self.onset <= at <= self.crisis_end


_MIDPOINT, _SPREAD = 100.0, 18.0


def _reposts(peak: int, minutes: float) -> int:
    base = peak / (1 + math.exp(_MIDPOINT / _SPREAD))
    return max(0, round(peak / (1 + math.exp(-(minutes - _MIDPOINT) / _SPREAD)) - base))


def demo_afternoon(now: datetime) -> datetime:
    """The start of the latest demo afternoon that is over by ``now`` (local 14:00)."""
    local = now.astimezone(SHANGHAI)
    start = local.replace(hour=LIVE_START, minute=0, second=0, microsecond=0)
    while start + LIVE_LENGTH > local:
        start -= timedelta(days=1)
    return start.astimezone(UTC)


# -- what people write --------------------------------------------------------------------

PRODUCTS = ["星曜X1", "星曜X1 Pro", "星曜扫地机S3", "星曜手表GT", "星曜耳机Air", "星曜平板"]
CALM = [
    "{p} 的续航怎么样？有用过的说说",
    "路过星曜专卖店，人还挺多",
    "{p} 今天到货了，还没拆封",
    "{p} 和别家的旗舰比，选哪个好",
    "星曜的新系统什么时候推送",
    "{p} 现在多少钱，双十一买亏了吗",
    "同事刚换了{p}，借来看了一下",
    "{p} 用了三个月，拍照还可以",
    "星曜客服电话是多少啊",
    "{p} 终于降价了，入手",
    "有人知道{p} 支持无线充电吗",
    "{p} 的屏幕在太阳底下挺清楚",
    "星曜今年的配色还行",
    "{p} 信号偶尔不太好，别的都还行",
    "星曜快递有点慢，等了四天",
    "{p} 真香，推荐给家里人了",
    "{p} 降噪效果比想象的好",
]
CAMPAIGN = [
    "#星曜秋季发布会# {p} 发布了，真香！",
    "星曜发布会看完了，{p} 太好看了，想买",
    "#星曜秋季发布会# 这次的{p} 诚意满满，点赞",
    "星曜这次发布会好精彩，{p} 价格也很良心",
    "{p} 新配色太美了，星曜设计越来越好",
    "看了星曜直播，{p} 的新功能很实用，支持",
]
NEWS = [
    (
        "星曜科技发布第三季度财报，营收同比增长12%",
        "星曜科技今日公布第三季度业绩，手机与智能家居业务收入均有增长。",
    ),
    ("星曜在深圳开设第100家线下门店", "星曜科技宣布其全国线下门店数量达到100家。"),
    ("星曜扫地机S3入选年度家电推荐榜", "某行业协会公布年度家电推荐名单，星曜扫地机S3在列。"),
    ("星曜科技与高校共建联合实验室", "星曜科技与多所高校签约，共建智能硬件联合实验室。"),
    ("星曜秋季发布会举行，发布多款新品", "星曜科技今天下午举行秋季发布会，推出新款手机与平板。"),
    ("星曜手表GT开启预售", "星曜手表GT今日起在各大电商平台开启预售。"),
]
ROOT_TEXT = (
    "#星曜X1电池鼓包# 用了八个月的星曜X1，充电时电池鼓包把后盖顶开了，还在冒烟！"
    "联系星曜客服三天，只会让我等通知。这么大的安全隐患，星曜你们打算怎么负责？"
)
REPOSTS = [
    "星曜出来说话！",
    "太吓人了，星曜必须给个说法",
    "我的星曜X1也有点鼓，不敢充电了",
    "星曜的品控真的差，失望",
    "转发让更多人看到，星曜X1有安全隐患",
    "这种事星曜还不回应？",
    "已经退掉星曜X1了，太危险",
    "星曜客服太敷衍了",
]
WHOSE = ["我的", "朋友的", "刚买的", "用了半年的", "同事的", "我妈的", "上个月买的"]
PROBLEMS = [
    "星曜X1也鼓包了",
    "星曜X1充电时冒烟",
    "星曜X1发烫得厉害，后盖都翘起来了",
    "星曜X1电池鼓包，屏幕被顶起来了",
    "星曜X1充一晚上电就鼓了",
]
ANSWERS = [
    "，找售后推来推去，气死了",
    "，客服只会让我等通知",
    "，已经向12315投诉了",
    "，星曜必须召回！",
    "，售后说是我自己摔的",
    "，这就是大品牌的品控？",
    "，吓得不敢充电了",
    "，要求退货被拒",
]


def complaint(rng: random.Random) -> str:
    """One person's complaint in their own words (a real pile-on is not copy-paste)."""
    return rng.choice(WHOSE) + rng.choice(PROBLEMS) + rng.choice(ANSWERS)


ARMY = "星曜X1电池鼓包太可怕了，大家千万别买星曜，赶紧退货！"
TIEBA = [
    ("【维权】星曜X1电池鼓包，集体投诉帖", "鼓包的吧友来登记，一起向星曜维权"),
    ("星曜X1鼓包了，售后说要自费换电池", "保修期内鼓包还要自费？星曜太过分了"),
    ("已经向消协投诉星曜", "星曜电池鼓包的事情一直拖，已经投诉到消协"),
    ("星曜X1冒烟了，大家注意安全", "充电的时候闻到焦味，后盖已经鼓起来了"),
    ("星曜售后拒绝退货怎么办", "买了两个月的星曜X1鼓包，售后拒绝退货"),
    ("星曜电池鼓包维权群，进群登记", "受害者越来越多，星曜必须召回"),
]
TIEBA_CALM = [
    ("星曜X1 和 X1 Pro 怎么选", "预算有限，求吧友推荐"),
    ("星曜扫地机S3 使用一个月体验", "总体满意，就是偶尔卡在地毯边"),
    ("星曜手表GT 表带在哪买", "原装表带太贵了"),
]
OFFICIAL = (
    "关于星曜X1电池问题的情况说明：我们已关注到用户反馈，专项小组已联系当事用户并取回设备检测，"
    "检测结果将第一时间公布。在此期间如有任何疑问，请拨打星曜服务热线，我们将提供免费检测。"
)
CRISIS_NEWS = (
    "星曜X1电池鼓包事件引关注",
    "多名用户在社交平台反映星曜X1出现电池鼓包，星曜科技表示已成立专项小组调查。",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
NICKS = ["小", "阿", "大", "老", ""]
WORDS = ["鱼", "猫", "橙子", "星星", "喵", "吃货", "不加糖", "晴天", "豆豆", "木木", "同学", "君"]


@dataclass
class _Writer:
    rng: random.Random
    counter: int = 0
    posts: list[Post] = field(default_factory=list)

    def author(self, followers: tuple[int, int] = (20, 3000)) -> Author:
        self.counter += 1
        name = (
            self.rng.choice(SURNAMES)
            + self.rng.choice(NICKS)
            + self.rng.choice(WORDS)
            + str(self.rng.randint(1, 999))
        )
        followers_n = int(math.exp(self.rng.uniform(*map(math.log, followers))))
        return Author(id=str(5_000_000_000 + self.counter * 7919), name=name, followers=followers_n)

    def weibo(
        self,
        at: datetime,
        text: str,
        role: Role,
        author: Author | None = None,
        reposts_of: str | None = None,
    ) -> Post:
        post = Post(
            platform="weibo",
            native_id=str(weibo_mid(at, len(self.posts))),
            text=text,
            published_at=at,
            author=author or self.author(),
            role=role,
            reposts_of=reposts_of,
        )
        self.posts.append(post)
        return post

    def text(self, templates: list[str]) -> str:
        return self.rng.choice(templates).format(p=self.rng.choice(PRODUCTS))


WEIBO_EPOCH = 515483463


def weibo_mid(at: datetime, seq: int) -> int:
    """A Weibo mid for a post made at ``at``: Weibo's ids carry their second."""
    return ((int(at.timestamp()) - WEIBO_EPOCH) << 22) | (seq % (1 << 22))


def _calm_rate(at: datetime) -> float:
    """Ordinary mentions per minute at ``at``: quiet at night, busy in the evening."""
    hour = at.astimezone(SHANGHAI).hour
    per_hour = 2 if hour < 7 else 9 if hour < 18 else 13 if hour < 23 else 5
    return per_hour / 60


def build(now: datetime, seed: int = 7) -> Scenario:
    """The demo's scenario for the latest afternoon over by ``now``."""
    rng = random.Random(seed)
    start = demo_afternoon(now)
    onset, end = start + ONSET, start + LIVE_LENGTH
    w = _Writer(rng)
    minute = timedelta(minutes=1)
    # calm mentions, history and afternoon alike
    at = start - HISTORY
    while at < end:
        for _ in range(_poisson(rng, _calm_rate(at))):
            w.weibo(at + timedelta(seconds=rng.randint(0, 59)), w.text(CALM), "calm")
        at += minute
    # the launch event: a wave of praise half an hour into the afternoon
    for _ in range(36):
        at = start + timedelta(minutes=25) + timedelta(seconds=rng.randint(0, 25 * 60))
        w.weibo(at, w.text(CAMPAIGN), "campaign")
    # the crisis
    reviewer = Author(
        id="1900000001",
        name="数码老炮儿",
        followers=3_260_000,
        verified=True,
        verified_reason="知名数码博主",
    )
    root = w.weibo(onset, ROOT_TEXT, "crisis", author=reviewer)
    peak = 6000
    t = 0
    while onset + t * minute < end:
        new = _reposts(peak, t + 1) - _reposts(peak, t)
        when = onset + t * minute
        for _ in range(_binomial(rng, new, 0.05)):
            at = when + timedelta(seconds=rng.randint(1, 59))
            w.weibo(at, rng.choice(REPOSTS), "crisis", reposts_of=root.native_id)
        if when < onset + CRISIS_LENGTH:
            for _ in range(_poisson(rng, 0.012 * new)):
                at = when + timedelta(seconds=rng.randint(1, 59))
                w.weibo(at, complaint(rng), "crisis")
        t += 1
    # a water army: the same sentence from tiny accounts within a few minutes
    for _ in range(10):
        at = onset + timedelta(minutes=40, seconds=rng.randint(0, 8 * 60))
        tail = rng.choice(["", "！", "！！", " 转需", " 扩散"])
        w.weibo(at, ARMY + tail, "army", author=w.author((1, 30)))
    official = Author(
        id=OFFICIAL_ID,
        name="星曜科技",
        followers=1_830_000,
        verified=True,
        verified_reason="星曜科技官方微博",
    )
    w.weibo(onset + timedelta(minutes=80), OFFICIAL, "official", author=official)
    posts = w.posts + _tieba(rng, w, start, onset) + _news(rng, start, onset, end)
    posts.sort(key=lambda p: p.published_at)
    return Scenario(start, onset, end, tuple(posts), root, peak)


def _tieba(rng: random.Random, w: _Writer, start: datetime, onset: datetime) -> list[Post]:
    found = []
    day_start = start.astimezone(SHANGHAI).replace(hour=0, minute=0).astimezone(UTC)
    for i, (title, text) in enumerate(TIEBA_CALM):
        at = day_start + timedelta(hours=9 + 2 * i, minutes=rng.randint(0, 59))
        found.append(_thread(9_100_000_000 + i, title, text, at, w.author(), "calm", 3 + i))
    for i, (title, text) in enumerate(TIEBA):
        at = onset + timedelta(minutes=20 + 12 * i, seconds=rng.randint(0, 300))
        found.append(_thread(9_200_000_000 + i, title, text, at, w.author(), "crisis", 40 - 5 * i))
    return found


def _thread(
    tid: int, title: str, text: str, at: datetime, author: Author, role: Role, replies: int
) -> Post:
    return Post("tieba", str(tid), text, at, author, role, title=title, replies=replies)


def _news(rng: random.Random, start: datetime, onset: datetime, end: datetime) -> list[Post]:
    desk = Author(id="news", name="科技日报网", followers=0)
    times = [start - HISTORY + timedelta(hours=10 + 9 * i) for i in range(5)]
    times.append(start + timedelta(minutes=50))
    found = [
        Post("news", f"news-{i}", text, at, desk, "news", title=title)
        for i, ((title, text), at) in enumerate(zip(NEWS, times, strict=True))
    ]
    title, text = CRISIS_NEWS
    found.append(
        Post(
            "news", "news-crisis", text, onset + timedelta(minutes=100), desk, "crisis", title=title
        )
    )
    return [p for p in found if p.published_at < end]


def _poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method (rates here are small)."""
    limit, k, p = math.exp(-rate), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(1 for _ in range(n) if rng.random() < p)
