from __future__ import annotations

import pytest

from listener.domain import CrawlBrand
from spiders.brandmatch import BrandMatcher

MATCHER = BrandMatcher(
    [
        CrawlBrand(
            name="小米", aliases=("Xiaomi", "MI"), keywords=("SU7",), exclude=("小米粥", "小米椒")
        ),
        CrawlBrand(name="蔚来", aliases=("NIO",)),
    ]
)


def brands(text: str) -> list[str]:
    return [m.brand for m in MATCHER.match(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("小米手机发热", ["小米"]),
        ("早上喝小米粥", []),  # exclusion
        ("小米粥配小米手机", ["小米"]),  # one real match outside the exclusion is enough
        ("ＸＩＡＯＭＩ 新品", ["小米"]),  # full width
        ("xiaomi su7", ["小米"]),  # case
        ("mi 14 发布", ["小米"]),
        ("mine and xiaomi-ish", ["小米"]),  # 'mi' alone is not in 'mine'
        ("mine", []),
        ("NIO 和小米", ["小米", "蔚来"]),
        ("Antonio", []),  # 'nio' inside a word
        ("", []),
    ],
)
def test_brand_matching(text: str, expected: list[str]) -> None:
    assert brands(text) == expected


def test_matched_terms_are_reported() -> None:
    [match] = MATCHER.match("Xiaomi SU7 订单")
    assert match.brand == "小米" and set(match.terms) == {"xiaomi", "su7"}


def test_traditional_and_simplified_match_each_other() -> None:
    assert brands("小米手機真的發熱") == ["小米"]
    trad = BrandMatcher([CrawlBrand(name="華為", aliases=())])
    assert [m.brand for m in trad.match("华为发布会")] == ["華為"]


def test_pinyin_abbreviation_alias_stands_alone() -> None:
    matcher = BrandMatcher([CrawlBrand(name="小米", aliases=("xm",))])
    assert [m.brand for m in matcher.match("XM的新车不错")] == ["小米"]
    assert matcher.match("xmas sale") == []


QUERIES = BrandMatcher(
    [
        CrawlBrand(
            name="小米汽车",
            aliases=(),
            queries=("小米 AND (汽车 OR SU7) NOT 小米粥", '"雷军 道歉"', "小米 NEAR/4 召回"),
        )
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("小米的汽车卖得好", True),
        ("小米SU7", True),
        ("小米手机", False),  # AND needs a car word
        ("小米粥和汽车", False),  # the only 小米 is inside the exclusion... and NOT 小米粥
        ("雷军 道歉了", True),  # phrase
        ("雷军没有道歉", False),  # phrase words apart
        ("小米宣布召回", True),  # 2 characters apart
        ("小米今天在北京宣布了召回", False),  # 7 characters apart > 4
        ("召回小米", True),  # NEAR in either order
    ],
)
def test_boolean_queries(text: str, expected: bool) -> None:
    assert bool(QUERIES.match(text)) is expected


@pytest.mark.parametrize(
    "query", ["", "AND 小米", "小米 AND", "(小米", "小米 NEAR/3", "小米 )", '""']
)
def test_unreadable_queries_are_refused(query: str) -> None:
    from listener.brandquery import QueryError, parse_query

    with pytest.raises(QueryError):
        parse_query(query, str.casefold)


@pytest.mark.parametrize("query", ["NOT 小米粥", "小米 OR NOT 苹果", "NOT (小米 OR 苹果)"])
def test_a_query_of_only_not_terms_is_refused_not_silent(query: str) -> None:
    from listener.brandquery import QueryError, parse_query

    with pytest.raises(QueryError, match=r"never matches: it \(or one of its OR branches\)"):
        parse_query(query, str.casefold)
    assert parse_query("小米 NOT 小米粥", str.casefold).terms == ("小米", "小米粥")
    assert parse_query("(NOT 小米粥) AND 小米", str.casefold)


def test_many_brands_one_pass() -> None:
    brands_list = [CrawlBrand(name=f"品牌{i}", aliases=(f"brand{i}",)) for i in range(2000)]
    matcher = BrandMatcher(brands_list)
    found = matcher.match("今天 brand1999 和 品牌7 都出事了, brand19x 不算")
    assert sorted(m.brand for m in found) == ["品牌1999", "品牌7"]
