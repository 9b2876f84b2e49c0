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
    assert post.text == "转发：小米这次要给个说法"
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


FEED = """<html><body><div class="tip2"><a href="/3113276555/profile">微博[12]</a>
<a href="/3113276555/follow">关注[80]</a><a href="/3113276555/fans">粉丝[9]</a></div>
<div class="c" id="M_J74OAhxtL"><div><a class="nk" href="https://weibo.cn/u/1935396210">
少年JUMP吧</a><img src="https://h5.sinaimg.cn/upload/2016/05/26/319/5337.gif" alt="V"/>
<span class="ctt">:小米的新车发布会 今晚八点</span></div><div>
<a href="https://weibo.cn/attitude/J74OAhxtL/add?uid=3113276555">赞[41]</a>&nbsp;
<a href="https://weibo.cn/repost/J74OAhxtL?uid=1935396210">转发[30]</a>&nbsp;
<a href="https://weibo.cn/comment/J74OAhxtL?uid=1935396210" class="cc">评论[16]</a>&nbsp;
<a href="https://weibo.cn/fav/addFav/J74OAhxtL">收藏</a>&nbsp;
<span class="ct">今天 08:11&nbsp;来自iPhone客户端</span></div></div>
<div class="c" id="M_J6INEAyUV"><div><a class="nk" href="https://weibo.cn/happywhisper">路人乙</a>
<span class="cmt">转发了&nbsp;<a href="https://weibo.cn/u/1935396210">少年JUMP吧</a>&nbsp;的微博:</span>
<span class="ctt">小米的新车发布会 今晚八点</span>&nbsp;
<a href="https://weibo.cn/comment/J74OAhxtL" class="cc">原文评论[16]</a></div>
<div><span class="cmt">转发理由:</span>小米这次能不能给个说法[doge]&nbsp;
<a href="https://weibo.cn/attitude/J6INEAyUV/add">赞[2]</a>&nbsp;
<a href="https://weibo.cn/repost/J6INEAyUV">转发[1]</a>&nbsp;
<a href="https://weibo.cn/comment/J6INEAyUV#cmtfrm" class="cc">评论[0]</a>&nbsp;
<a href="https://weibo.cn/fav/addFav/J6INEAyUV">收藏</a><!---->&nbsp;
<span class="ct">3小时前&nbsp;来自微博 weibo.com</span></div></div>
</body></html>"""


def test_a_weibo_cn_feed_page_names_each_posts_author_not_the_viewer() -> None:
    page = parse(FEED.encode(), ParseContext(now=NOW))
    post, repost = (normalise_mention(m) for m in page.mentions)
    assert (post.author.id, post.author.name, post.author.verified) == (
        "1935396210",
        "少年JUMP吧",
        True,
    )
    assert (repost.author.id, repost.author.name) == ("happywhisper", "路人乙")
    assert post.engagement.likes == 41 and post.engagement.comments == 16
    # the page's own buttons stay out of the text; the emoji code is content
    assert repost.text == "小米这次能不能给个说法[doge]"
    assert repost.kind == MentionKind.REPOST and repost.thread_id == f"weibo:{post.native_id}"
    assert repost.engagement.likes == 2
