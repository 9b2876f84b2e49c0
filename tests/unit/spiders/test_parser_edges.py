"""Parser edge cases the captures do not cover: refusals, counts as platforms print
them, charsets, the generic parser's selectors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from spiders.normalise import normalise_mention
from spiders.parsers import parsers
from spiders.parsers.base import (
    Blocked,
    ParseContext,
    Selectors,
    Unparseable,
    as_int,
    counts,
    decode,
    load_json,
)
from spiders.parsers.generic import parse as generic

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        ("12", 12),
        ("1.2万", 12000),
        ("100万+", 1_000_000),
        ("3,204", 3204),
        ("2亿", 200_000_000),
        ("", 0),
        (None, 0),
        (True, 0),
        (-5, 0),
        ("n/a", 0),
        (7.9, 7),
    ],
)
def test_counts_as_platforms_print_them(value: object, expected: int) -> None:
    assert as_int(value) == expected


def test_a_count_printed_as_a_floor_is_kept_and_marked() -> None:
    engagement = counts(reposts="100万+", comments="1.2万", likes=(3, "5"), views="999+")
    assert (engagement.reposts, engagement.comments, engagement.likes) == (1_000_000, 12_000, 8)
    assert engagement.at_least == ("reposts", "views")
    assert engagement.is_floor("reposts") and not engagement.is_floor("comments")


def test_weibo_counts_printed_as_floors() -> None:
    status = {
        "id": "4254253956751501",
        "created_at": "Sun Jun 24 08:00:00 +0800 2018",
        "text": "小米汽车起火",
        "user": {"id": 1, "screen_name": "x"},
        "reposts_count": "100万+",
        "comments_count": 3021,
        "attitudes_count": "100万+",
    }
    body = json.dumps({"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": status}]}})
    [post] = parsers()["weibo"](body.encode(), ParseContext(now=NOW)).mentions
    assert post.engagement.reposts == 1_000_000 and post.engagement.comments == 3021
    assert post.engagement.at_least == ("reposts", "likes")


def test_charsets() -> None:
    assert decode("小米".encode("gbk")) == "小米"
    assert decode("\ufeff小米".encode()) == "小米"
    assert decode(b"\xff\xfe\xfd") != ""  # never raises


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        (b"", Blocked, "empty"),
        (b"<html>login</html>", Unparseable, "HTML"),
        (b'{"ok": 1, "data": [', Unparseable, "not valid JSON"),
    ],
)
def test_load_json_says_why(body: bytes, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        load_json(body, "Weibo")


@pytest.mark.parametrize(
    ("platform", "body", "words"),
    [
        ("weibo", b'{"ok":-100,"url":"https://passport.weibo.cn/signin"}', "login"),
        (
            "weibo",
            b'{"errno":"100005","msg":"\xe8\xaf\xb7\xe6\xb1\x82\xe8\xbf\x87\xe4\xba\x8e\xe9\xa2\x91\xe7\xb9\x81"}',
            "errno=100005",
        ),
        (
            "bilibili",
            b'{"code":-412,"message":"\xe8\xaf\xb7\xe6\xb1\x82\xe8\xa2\xab\xe6\x8b\xa6\xe6\x88\xaa"}',
            "request intercepted",
        ),
        ("bilibili", b'{"code":-352,"message":"-352"}', "risk control"),
        (
            "zhihu",
            b'{"error":{"code":40352,"message":"\xe7\xb3\xbb\xe7\xbb\x9f\xe7\x9b\x91\xe6\xb5\x8b"}}',
            "code=40352",
        ),
        (
            "tieba",
            "<html><head><title>百度安全验证</title></head></html>".encode(),
            "security check",
        ),
        ("xiaohongshu", b'{"code":300012,"success":false,"msg":"IP at risk"}', "code=300012"),
    ],
)
def test_refusals_stop_the_crawl_with_a_reason(platform: str, body: bytes, words: str) -> None:
    with pytest.raises(Blocked, match=words):
        parsers()[platform](body, ParseContext(now=NOW))


LIST = """<html><body><div id="list">
<div class="row"><h3><a href="/a/1.html">小米 一</a></h3><em>2026-11-22 09:00</em>
<i>记者甲</i></div>
<div class="row"><h3><a href="/a/2.html">小米 二</a></h3><em>昨天 10:00</em></div>
<div class="row"><h3>no link here</h3></div>
</div><a class="next" href="?page=2">下一页</a></body></html>"""


def test_generic_css_and_xpath_selectors_and_the_next_page() -> None:
    selectors = Selectors(
        item="//div[@class='row']",
        fields={"title": "h3 a::text", "time": "em::text", "author": "./i/text()"},
        next_page="a.next::attr(href)",
    )
    ctx = ParseContext(
        url="https://news.example.cn/list", now=NOW, platform="news", selectors=selectors
    )
    page = generic(LIST.encode(), ctx)
    first, second = (normalise_mention(m) for m in page.mentions)
    assert page.errors == ["list item without a link or id"]
    assert first.url == "https://news.example.cn/a/1.html" and first.title == "小米 一"
    assert first.author.id == "记者甲" and first.platform == "news"
    assert first.published_at == datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    assert second.published_at == datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 昨天 10:00
    assert page.more and page.next_token == "https://news.example.cn/list?page=2"


def test_generic_needs_an_item_selector() -> None:
    with pytest.raises(Unparseable, match="item"):
        generic(LIST.encode(), ParseContext(now=NOW))


def test_a_zhihu_list_of_unknown_items_is_a_changed_layout_not_a_quiet_page() -> None:
    body = (
        b'{"data":[{"type":"feed","verb":"MEMBER_FOLLOW_COLUMN","target":{"type":"column",'
        b'"id":"c_1"}},{"type":"feed","verb":"MEMBER_FOLLOW_TOPIC","target":{"type":"topic",'
        b'"id":"19550"}}],"paging":{"is_end":true}}'
    )
    with pytest.raises(Unparseable, match=r"2 Zhihu items.*column, topic"):
        parsers()["zhihu"](body, ParseContext(now=NOW))
    # the end of a member's answers is an empty list: a quiet success
    empty = b'{"data":[],"paging":{"is_end":true,"totals":217}}'
    assert parsers()["zhihu"](empty, ParseContext(now=NOW)).mentions == []


def test_zhihu_activities_read_answers_and_pins_under_target() -> None:
    body = (
        '{"data":[{"type":"feed","verb":"MEMBER_CREATE_PIN","created_time":1700000000,'
        '"target":{"type":"pin","id":"1711","created":1700000000,"author":{"name":"小王",'
        '"url_token":"xw"},"content":[{"type":"text","content":"小米的售后太慢了"},'
        '{"type":"image","url":"https://pic.zhimg.com/1.jpg"}],"like_count":3}},'
        '{"type":"feed","verb":"ANSWER_VOTE_UP","target":{"type":"answer","id":"42",'
        '"created_time":1700000100,"content":"<p>答案</p>","voteup_count":9,'
        '"question":{"id":"7","title":"怎么看小米?"},"author":{"name":"甲"}}}],'
        '"paging":{"is_end":false,"next":"https://www.zhihu.com/api/v4/members/xw/activities?offset=2"}}'
    ).encode()
    page = parsers()["zhihu"](body, ParseContext(now=NOW))
    pin, answer = page.mentions
    assert pin.native_id == "1711" and pin.text == "小米的售后太慢了"
    assert pin.url == "https://www.zhihu.com/pin/1711" and pin.author.name == "小王"
    assert pin.published_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert answer.thread_id == "zhihu:question-7" and answer.engagement.likes == 9
    assert page.more


@pytest.mark.parametrize(
    ("platform", "body"),
    [
        ("zhihu", "<html><head><title>安全验证 - 知乎</title></head><body></body></html>"),
        ("bilibili", "<html><head><title>验证码</title></head><body>geetest</body></html>"),
        ("weibo", "<html><head><title>Sina Visitor System</title></head></html>"),
    ],
)
def test_a_verification_page_where_json_was_expected_is_a_block(platform: str, body: str) -> None:
    with pytest.raises(Blocked, match=r"verification|login|captcha"):
        parsers()[platform](body.encode(), ParseContext(now=NOW))


def test_weibo_legacy_comments_show() -> None:
    """``m.weibo.cn/api/comments/show`` in the format crawlers read: ``hot_data`` on the
    first page, ``like_counts``, relative times, paged by ``page`` up to ``max``."""
    user = {"id": 5001, "screen_name": "网友甲", "followers_count": 12, "verified": False}
    body = {
        "ok": 1,
        "data": {
            "data": [
                {
                    "id": 4355000000000001,
                    "created_at": "3小时前",
                    "like_counts": 4,
                    "text": "退款<a href='/n/小米客服'>@小米客服</a> 到现在没消息",
                    "user": user,
                },
            ],
            "hot_data": [
                {
                    "id": 4355000000000002,
                    "created_at": "昨天 22:10",
                    "like_counts": "1.2万",
                    "text": "同款问题[怒]",
                    "user": user,
                },
            ],
            "total_number": 57,
            "max": 3,
        },
    }
    url = "https://m.weibo.cn/api/comments/show?id=4354900000000000&page=1"
    page = parsers()["weibo"](json.dumps(body).encode(), ParseContext(url=url, now=NOW))
    hot, latest = page.mentions
    assert (hot.engagement.likes, latest.engagement.likes) == (12_000, 4)
    assert hot.thread_id == latest.thread_id == "weibo:4354900000000000"
    assert hot.kind == "comment" and latest.author.name == "网友甲"
    assert normalise_mention(latest).text == "退款@小米客服 到现在没消息"
    assert page.more and page.next_token == "2"
