from __future__ import annotations

import pytest

from spiders.parsers.ids import av_to_bv, canonical_id


@pytest.mark.parametrize(
    ("platform", "value", "expected"),
    [
        ("bilibili", "https://www.bilibili.com/video/av170001", "BV17x411w7KC"),
        ("bilibili", "https://b23.tv/BV17x411w7KC?p=2", "BV17x411w7KC"),
        ("bilibili", "av170001", "BV17x411w7KC"),
        ("weibo", "https://weibo.com/1935396210/PzxMFDdIO", "5184713499347542"),
        ("weibo", "https://m.weibo.cn/detail/4645748019299849", "4645748019299849"),
        ("weibo", "https://m.weibo.cn/status/4645748019299849?x=1", "4645748019299849"),
        ("zhihu", "https://www.zhihu.com/question/7/answer/42", "42"),
        ("zhihu", "https://zhuanlan.zhihu.com/p/1234", "1234"),
        ("zhihu", "https://www.zhihu.com/question/7", "question-7"),
        ("zhihu", "https://www.zhihu.com/pin/1711", "1711"),
        ("tieba", "https://tieba.baidu.com/p/5917406257", "5917406257"),
        ("tieba", "https://tieba.baidu.com/p/7001?pid=8002#8002", "8002"),
        ("news", "https://news.example.cn/a/1.html", None),
        ("bilibili", "https://www.bilibili.com/read/cv123", None),
        ("bilibili", "https://www.bilibili.com/video/av0", None),
    ],
)
def test_one_id_per_item_from_whatever_a_source_gives(
    platform: str, value: str, expected: str | None
) -> None:
    assert canonical_id(platform, value) == expected


def test_an_aid_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="aid"):
        av_to_bv(0)
