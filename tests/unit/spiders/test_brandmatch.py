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
