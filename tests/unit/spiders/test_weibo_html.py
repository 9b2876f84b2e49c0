"""s.weibo.com layouts the captures do not cover, on small pages written by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from listener.domain import MentionKind
from spiders.normalise import normalise_mention
from spiders.parsers.base import Blocked, ParseContext, Unparseable
from spiders.parsers.weibo_html import parse

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
REPOST = """<html><body><div class="card-wrap" action-type="feed_list_item" mid="5368356999790599">
<div class="card"><div class="content"><div class="info"><div>
<a href="//weibo.com/7001000001?refer_flag=1001030103_" class="name"
 nick-name="路过的车主">路过的车主</a>
</div></div>
<p class="txt" node-type="feed_list_content" nick-name="路过的车主">转发：小米这次要给个说法</p>
<div class="card-comment"><div class="con"><a class="name" href="//weibo.com/7001234">原博主</a>
<p class="txt">小米汽车刹车失灵</p>
<p class="from"><a href="//weibo.com/7001234/PzxMFDdIO?refer_flag=1001030103_">
11月23日 09:30</a></p>
<ul class="act s-fr"><li><a>转发 1万</a></li><li><a>评论 2,301</a></li><li><a>赞 880</a></li></ul>
</div></div>
<p class="from"><a href="//weibo.com/7001000001/Q0aBcDeFg?refer_flag=1001030103_">5分钟前</a></p>
</div></div>
<div class="card-act"><ul><li><a>收藏</a></li><li><a>转发 12</a></li><li><a>评论 3</a></li>
<li><a><em>45</em></a></li></ul></div></div></body></html>"""


def test_a_repost_card_points_at_its_original() -> None:
    page = parse(REPOST.encode(), ParseContext(now=NOW))
    original, post = (normalise_mention(m) for m in page.mentions)
    assert original.native_id == "5184713499347542" and original.kind == MentionKind.POST
    assert original.text == "小米汽车刹车失灵" and original.author.name == "原博主"
    assert original.author.id == "7001234" and original.url == "https://weibo.com/7001234/PzxMFDdIO"
    reach = original.engagement
    assert (reach.reposts, reach.comments, reach.likes) == (10_000, 2301, 880)
    assert post.kind == MentionKind.REPOST
    assert post.thread_id == "weibo:5184713499347542"  # the bid PzxMFDdIO as a mid
    assert post.text == "转发:小米这次要给个说法"
    assert post.author.id == "7001000001" and post.author.name == "路过的车主"
    assert (post.engagement.reposts, post.engagement.comments, post.engagement.likes) == (12, 3, 45)
    assert post.url == "https://weibo.com/7001000001/Q0aBcDeFg"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", Blocked),
        (b"<html><head><title>Sina Visitor System</title></head><body></body></html>", Blocked),
        (
            b"<html><head><title>\xe5\xae\x89\xe5\x85\xa8\xe9\xaa\x8c\xe8\xaf\x81</title></head></html>",
            Blocked,
        ),
        (b"<html><body><p>just some page</p></body></html>", Unparseable),
        (b"<html><body>weibo <div class='feed'>new layout</div></body></html>", Unparseable),
    ],
)
def test_refusals_and_unknown_layouts(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse(body, ParseContext(now=NOW))


def test_no_results_page_is_empty_not_an_error() -> None:
    body = b"<html><body>weibo<div class='card-wrap'><div class='card-no-result'>x</div></div>"
    assert parse(body, ParseContext(now=NOW)).mentions == []
