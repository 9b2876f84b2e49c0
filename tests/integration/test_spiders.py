"""Every spider end to end: a real Scrapy crawl (its own subprocess, as the daemon runs
it) against a local server that answers with the captured platform responses and with
generated pages for paging and the error cases; the assertions read the real spool."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from listener.app import App
from listener.config.models import Config
from listener.crawling import CrawlRunner, crawl_spec
from listener.demo.platform_server import Answer, Asked, PlatformServer
from listener.domain import CrawlBrand, CrawlResult, Mention, SourceHealth, utcnow
from listener.spool import Spool
from spiders.spec import CrawlSpec
from spiders.spiders.weibo import WeiboOptions
from tests.factories import mention
from tests.ports import free_port

pytestmark = pytest.mark.slow

Capture = Callable[[str], bytes]
FAST = "    delay: 0s\n    backoff: 0.2s\n    retries: 1\n"
DATE_2018 = {"Date": "Mon, 05 Nov 2018 08:00:00 GMT"}


def crawl(
    config_for: Callable[[str], Config], brands: str, source: str, cursor: str | None = None
) -> tuple[CrawlResult, dict[str, Mention]]:
    config = config_for(f"brands:\n{brands}\nsources:\n  - name: s\n{source}{FAST}")
    outcome = CrawlRunner().run(crawl_spec(config, config.sources[0], cursor), timeout=90)
    assert outcome.failure is None, outcome.failure
    assert outcome.result is not None
    with Spool(config.spool_path) as spool:
        mentions = {e.mention.id: e.mention for e in spool.claim(10_000, timedelta(minutes=1))}
    return outcome.result, mentions


def test_weibo_search_pages_long_texts_and_politeness(
    config_for: Callable[[str], Config], capture: Capture
) -> None:
    pages = {
        "1": capture("weibo/m-search-shijiebei-2018-page2.json"),
        "2": capture("weibo/m-search-shijiebei-2018-page7.json"),
    }

    def route(asked: Asked) -> Answer:
        if asked.path == "/statuses/extend":
            full = {
                "ok": 1,
                "data": {
                    "ok": 1,
                    "longTextContent": f"世界杯 全文 {asked.query['id']}",
                    "reposts_count": 1,
                    "comments_count": 2,
                    "attitudes_count": 3,
                },
            }
            return Answer(json.dumps(full).encode())
        return Answer(pages.get(asked.query.get("page", ""), b'{"ok":0,"msg":"no more"}'))

    with PlatformServer(route) as server:
        source = (
            f"    platform: weibo\n    base_url: {server.url}\n    keywords: [世界杯]\n"
            f"    cookie: SUB=secret-cookie\n    page_limit: 5\n"
        )
        result, mentions = crawl(config_for, "  - name: 世界杯\n    aliases: [FIFA]", source)
    searches = [a for a in server.asked if a.path == "/api/container/getIndex"]
    assert [a.query["page"] for a in searches] == ["1", "2", "3"]
    assert searches[0].query["containerid"] == "100103type=1&q=世界杯"
    assert all(a.headers.get("cookie") == "SUB=secret-cookie" for a in server.asked)
    assert len({a.headers["user-agent"] for a in server.asked}) > 1  # rotated
    assert result.healthy and result.items_seen == 15 and result.errors == 0
    post = mentions["weibo:4254253956751501"]
    assert post.author.name == "新浪体育" and post.author.followers == 10686684
    assert post.matched_terms == {"世界杯": ("世界杯",)}
    extended = [a.query["id"] for a in server.asked if a.path == "/statuses/extend"]
    assert len(extended) == 2
    for native_id in extended:
        full = mentions[f"weibo:{native_id}"]
        assert full.text == f"世界杯 全文 {native_id}" and full.long_text

    # the next crawl starts from the cursor: page 1 holds nothing new, so paging stops
    with PlatformServer(route) as again:
        source = source.replace(server.url, again.url)
        second, _ = crawl(config_for, "  - name: 世界杯", source, cursor=result.cursor)
    assert second.healthy and second.items_spooled == 0
    assert [a.query.get("page") for a in again.asked] == ["1"]


def test_weibo_login_wall_stops_the_crawl_and_marks_the_source(
    config_for: Callable[[str], Config],
) -> None:
    def route(asked: Asked) -> Answer:
        return Answer(b'{"ok":-100,"url":"https://passport.weibo.cn/signin/welcome"}')

    with PlatformServer(route) as server:
        source = f"    platform: weibo\n    base_url: {server.url}\n    keywords: [a, b, c]\n"
        result, mentions = crawl(config_for, "  - name: 小米", source)
    assert not result.healthy and "login" in result.reason
    assert mentions == {}
    # stopped instead of hammering: no next pages, no retries, only what was in flight
    assert len(server.asked) <= 3 and all(a.query["page"] == "1" for a in server.asked)


def test_rate_limit_is_retried_after_the_wait_and_a_persistent_refusal_stops(
    config_for: Callable[[str], Config], capture: Capture
) -> None:
    calls: list[str] = []

    def route(asked: Asked) -> Answer:
        calls.append(asked.path)
        if len(calls) == 1:
            return Answer(b"slow down", 429, {"Retry-After": "1"})
        return Answer(capture("weibo/m-search-shijiebei-2018-page7.json"))

    with PlatformServer(route) as server:
        source = (
            f"    platform: weibo\n    base_url: {server.url}\n"
            "    keywords: [世界杯]\n    page_limit: 1\n"
        )
        result, mentions = crawl(config_for, "  - name: 世界杯", source)
    assert result.healthy and len(mentions) == 2 and len(calls) == 2

    with PlatformServer(lambda asked: Answer(b"", 418)) as server:
        source = f"    platform: weibo\n    base_url: {server.url}\n    keywords: [世界杯]\n"
        result, _ = crawl(config_for, "  - name: 世界杯", source)
    assert not result.healthy and "HTTP 418" in result.reason
    assert len(server.asked) == 2  # the first try and the one configured retry


def test_bad_bodies_are_logged_a_changed_layout_reported_and_the_crawl_goes_on(
    config_for: Callable[[str], Config], capture: Capture
) -> None:
    def route(asked: Asked) -> Answer:
        keyword = asked.query.get("containerid", "")
        if keyword.endswith("q=truncated"):
            return Answer(capture("weibo/m-search-shijiebei-2018-page7.json")[:500])
        if keyword.endswith("q=huge"):
            return Answer(b"x" * (21 * 1024 * 1024))
        if keyword.endswith("q=html"):
            return Answer(b"<html><body>we changed our layout, weibo</body></html>")
        return Answer(capture("weibo/m-search-shijiebei-2018-page7.json"))

    with PlatformServer(route) as server:
        source = (
            f"    platform: weibo\n    base_url: {server.url}\n"
            "    keywords: [truncated, huge, html, 世界杯]\n    page_limit: 1\n"
        )
        result, mentions = crawl(config_for, "  - name: 世界杯", source)
    # the truncated and the oversized bodies are lost pages; the HTML page where JSON was
    # expected is a changed layout, which makes the source unhealthy (never a quiet zero)
    # while what the other keywords found is kept
    assert not result.healthy
    assert result.reason.startswith("layout changed: Weibo page without feed cards")
    assert result.errors >= 3
    assert sorted(mentions) == ["weibo:4254273712330310", "weibo:4254273921062696"]


def test_weibo_html_search_with_cookie(
    config_for: Callable[[str], Config], capture: Capture
) -> None:
    def route(asked: Asked) -> Answer:
        if asked.query.get("page") == "1":
            return Answer(
                capture("weibo/s-search-zhuanfa-2018.html"), headers={"Content-Type": "text/html"}
            )
        return Answer(b"<html><body><div class='card-no-result'>weibo</div></body></html>")

    with PlatformServer(route) as server:
        source = f"    platform: weibo_html\n    base_url: {server.url}\n    cookie: SUB=abc\n"
        result, mentions = crawl(config_for, "  - name: 转发\n    aliases: [抽奖]", source)
    # both search terms return the same page: each post is spooled once
    assert result.healthy and (result.items_spooled, result.dropped_duplicate) == (20, 20)
    assert mentions["weibo:4299399821254298"].author.name == "海盐奶盖红茶加冰"
    assert {a.query["q"] for a in server.asked} == {"转发", "抽奖"}


def test_zhihu_pages_by_offset(config_for: Callable[[str], Config], capture: Capture) -> None:
    def route(asked: Asked) -> Answer:
        body = {
            "0": "zhihu/search-v3-shijiebei-offset65.json",
            "75": "zhihu/search-v3-shijiebei-offset15.json",
        }
        name = body.get(asked.query["offset"])
        return Answer(capture(name) if name else b'{"paging":{"is_end":true},"data":[]}')

    with PlatformServer(route) as server:
        source = f"    platform: zhihu\n    base_url: {server.url}\n"
        result, mentions = crawl(config_for, "  - name: 世界杯", source)
    assert [a.query["offset"] for a in server.asked] == ["0", "75", "25"]
    assert mentions["zhihu:415620528"].thread_id == "zhihu:question-280534509"
    assert result.healthy and result.items_seen == 20


def test_zhihu_answers_of_a_watched_account(
    config_for: Callable[[str], Config], capture: Capture
) -> None:
    member = "gong-qing-tuan-zhong-yang-67"

    def route(asked: Asked) -> Answer:
        if asked.path == f"/api/v4/members/{member}/answers" and asked.query["offset"] == "0":
            return Answer(capture("zhihu/batch2-test.json"))
        return Answer(b'{"paging":{"is_end":true},"data":[]}')

    with PlatformServer(route) as server:
        source = (
            f"    platform: zhihu\n    base_url: {server.url}\n    search: false\n"
            f"    members: [{member}]\n"
        )
        result, mentions = crawl(config_for, "  - name: 谢邀", source)
    # the capture's own paging.next says offset=10: the spider follows it
    assert [(a.path, a.query["offset"]) for a in server.asked] == [
        (f"/api/v4/members/{member}/answers", "0"),
        (f"/api/v4/members/{member}/answers", "10"),
    ]
    assert "content" in server.asked[0].query["include"]
    answer = mentions["zhihu:220734548"]
    assert answer.title == "如何看待宁夏共青团干部用阿拉伯语写的匾额？"
    assert answer.author.name == "共青团中央" and answer.kind == "answer"
    assert result.healthy and result.items_seen == 10 and len(mentions) >= 7


def test_bilibili_search_and_space(config_for: Callable[[str], Config], capture: Capture) -> None:
    def route(asked: Asked) -> Answer:
        if asked.path.endswith("/search/type"):
            if asked.query["page"] == "1":
                return Answer(capture("bilibili/web-search-type-video-shaonian-2020.json"))
            return Answer(b'{"code":0,"data":{"numResults":0,"page":2,"numPages":1}}')
        if asked.query.get("offset"):
            return Answer(b'{"code":0,"data":{"has_more":false,"items":[],"offset":""}}')
        return Answer(capture("bilibili/web-dynamic-feed-space-arknights-2024.json"))

    with PlatformServer(route) as server:
        source = f"    platform: bilibili\n    base_url: {server.url}\n    spaces: ['161775300']\n"
        result, mentions = crawl(config_for, "  - name: 少年\n  - name: 明日方舟", source)
    assert mentions["bilibili:BV1De411p77r"].engagement.views == 1037655
    assert mentions["bilibili:917092495452536836"].thread_id == "bilibili:915793667264872453"
    assert result.healthy


def test_tieba_forum_list_reads_times_against_the_server_clock(
    config_for: Callable[[str], Config], capture: Capture
) -> None:
    search = (
        '<html><body>贴吧<div class="s_post"><span class="p_title"><a href="/p/7001?pid=8002#8002">'
        "回复:始祖家族</a></span><div class='p_content'>始祖家族 第六季呢</div>"
        '<a href="/home/main?un=x"><font>路人甲</font></a>'
        '<font class="p_date">2018-11-04 20:15</font>'
        "</div></body></html>"
    ).encode("gb18030")

    def route(asked: Asked) -> Answer:
        if asked.path == "/f" and asked.query["pn"] == "0":
            return Answer(
                capture("tieba/frs-shizujiazu-2018.html"),
                headers={"Content-Type": "text/html", **DATE_2018},
            )
        if asked.path == "/f/search/res" and asked.query["pn"] == "1":
            return Answer(search, headers={"Content-Type": "text/html; charset=gbk", **DATE_2018})
        past_the_end = '<html><body>tieba<ul id="thread_list"></ul></body></html>'
        return Answer(past_the_end.encode(), headers={"Content-Type": "text/html"})

    with PlatformServer(route) as server:
        source = (
            f"    platform: tieba\n    base_url: {server.url}\n"
            "    forums: [始祖家族]\n    keywords: [始祖家族]\n"
        )
        result, mentions = crawl(config_for, "  - name: 始祖家族", source)
    thread = mentions["tieba:5899416824"]
    assert thread.published_at.isoformat() == "2018-09-30T16:00:00+00:00"  # "10-1" in 2018
    reply = mentions["tieba:8002"]
    assert reply.thread_id == "tieba:7001" and reply.text == "始祖家族 第六季呢"
    assert result.healthy


def test_rss_feeds_and_a_generic_site_in_gbk(
    config_for: Callable[[str], Config], capture: Capture
) -> None:
    listing = (
        '<html><head><meta charset="gbk"></head><body><ul>'
        '<li class="n"><a href="/news/1.html">小米汽车召回</a><span>2026-11-20 10:00</span></li>'
        '<li class="n"><a href="/news/2.html">天气预报</a><span>2026-11-20 11:00</span></li>'
        "</ul></body></html>"
    ).encode("gbk")
    detail = (
        '<html><body><h1>小米汽车召回</h1><div id="c">小米宣布召回部分车辆，涉及刹车问题。</div>'
        "</body></html>"
    )

    def route(asked: Asked) -> Answer:
        html = {"Content-Type": "text/html; charset=gbk"}
        if asked.path == "/feed/weibo":
            return Answer(
                capture("rss/rsshub-weibo-user-1935396210.xml"),
                headers={"Content-Type": "application/rss+xml"},
            )
        if asked.path == "/feed/blog":
            return Answer(
                capture("rss/ruanyifeng-blog-atom-2023.xml"),
                headers={"Content-Type": "application/atom+xml"},
            )
        if asked.path == "/list":
            return Answer(listing, headers=html)
        if asked.path == "/news/1.html":
            return Answer(detail.encode("gbk"), headers=html)
        return Answer(
            "<html><body><div id='c'>明天晴</div></body></html>".encode("gbk"), headers=html
        )

    with PlatformServer(route) as server:
        rss = (
            f"    platform: rss\n    feeds: ['{server.url}/feed/weibo', '{server.url}/feed/blog']\n"
        )
        result, mentions = crawl(config_for, "  - name: 致不灭的你\n  - name: AI", rss)
        assert result.healthy and "weibo:5184713499347542" in mentions  # bid → mid
        assert any(m.platform == "news" for m in mentions.values())
        generic = (
            f"    platform: generic\n    start_urls: ['{server.url}/list']\n    item: li.n\n"
            "    fields: {title: 'a::text', time: 'span::text'}\n"
            "    detail: {text: '#c'}\n    as_platform: news\n"
        )
        result, mentions = crawl(config_for, "  - name: 小米", generic)
    assert result.healthy and result.dropped_no_brand == 1
    (article,) = mentions.values()
    assert article.title == "小米汽车召回"
    assert article.text == "小米宣布召回部分车辆，涉及刹车问题。"
    assert article.published_at.isoformat() == "2026-11-20T02:00:00+00:00"


def crawl_with_stored(
    config_for: Callable[[str], Config], platform: str, url: str, stored: list[Mention]
) -> tuple[SourceHealth, dict[str, Mention]]:
    """One crawl by the daemon's own collection service, with ``stored`` already in the
    store (what it picks tracked threads from); what it spooled, by id."""
    config = config_for(
        f"brands:\n  - name: 小米\nsources:\n  - name: s\n    platform: {platform}\n"
        f"    base_url: {url}\n{FAST}"
    )
    app = App.build(config)
    try:
        app.store.bulk_upsert(stored)
        health = app.collection.crawl(config.sources[0]).health
    finally:
        app.close()
    with Spool(config.spool_path) as spool:
        spooled = {e.mention.id: e.mention for e in spool.claim(100, timedelta(minutes=1))}
    return health, spooled


def test_tracked_threads_are_revisited_for_counts_and_hot_comments(
    config_for: Callable[[str], Config],
) -> None:
    root = "5368348145614851"  # 2026-11-23 01:30 UTC, negative, already stored
    status = {
        "ok": 1,
        "data": {
            "id": root,
            "mid": root,
            "created_at": "Mon Nov 23 09:30:00 +0800 2026",
            "text": "小米汽车刹车失灵，维权无门",
            "reposts_count": 900,
            "comments_count": 57,
            "attitudes_count": 1200,
            "user": {"id": 7001, "screen_name": "车主", "followers_count": 80},
        },
    }
    hotflow = (Path(__file__).parents[1] / "fixtures" / "weibo" / "hotflow.json").read_bytes()

    def route(asked: Asked) -> Answer:
        if asked.path == "/statuses/show":
            return Answer(json.dumps(status, ensure_ascii=False).encode())
        if asked.path == "/comments/hotflow":
            return Answer(hotflow)
        return Answer(b'{"ok":0,"msg":"no results"}')

    with PlatformServer(route) as server:
        seen = mention(
            root,
            "小米汽车刹车失灵，维权无门",
            sentiment="negative",
            reposts=10,
            at=utcnow() - timedelta(hours=2),
        )
        positive = mention("1", "小米不错", sentiment="positive")
        health, spooled = crawl_with_stored(config_for, "weibo", server.url, [seen, positive])
    assert health.healthy, health.reason
    assert spooled[f"weibo:{root}"].engagement.reposts == 900  # a new snapshot to grow from
    comments = [m for m in spooled.values() if m.kind == "comment"]
    assert len(comments) == 2
    assert all(c.thread_id == f"weibo:{root}" and c.brands == ("小米",) for c in comments)
    revisits = [a.query["id"] for a in server.asked if a.path != "/api/container/getIndex"]
    assert revisits == [root, root]  # only the negative thread, not the positive post


def test_tracked_bilibili_videos_are_revisited_for_counts_and_comments(
    config_for: Callable[[str], Config], capture: Capture
) -> None:
    bvid = "BV1iW41167ZW"  # av32036576, the video of the real comment capture
    view = {
        "code": 0,
        "message": "0",
        "data": {
            "bvid": bvid,
            "aid": 32036576,
            "title": "小米汽车刹车失灵实录",
            "desc": "维权无门",
            "pubdate": int((utcnow() - timedelta(hours=3)).timestamp()),
            "owner": {"mid": 7001, "name": "车主"},
            "stat": {
                "view": 91000,
                "danmaku": 300,
                "reply": 282,
                "favorite": 900,
                "coin": 50,
                "share": 640,
                "like": 4100,
            },
        },
    }

    def route(asked: Asked) -> Answer:
        if asked.path == "/x/web-interface/view":
            return Answer(json.dumps(view, ensure_ascii=False).encode())
        if asked.path == "/x/v2/reply/main":
            return Answer(capture("bilibili/batch2-comment.json"))
        return Answer(b'{"code":0,"data":{"result":null,"numResults":0}}')

    with PlatformServer(route) as server:
        seen = mention(
            bvid,
            "小米汽车刹车失灵实录",
            platform="bilibili",
            sentiment="negative",
            reposts=10,
            at=utcnow() - timedelta(hours=3),
        )
        health, spooled = crawl_with_stored(config_for, "bilibili", server.url, [seen])
    assert health.healthy, health.reason
    video = spooled[f"bilibili:{bvid}"]
    assert (video.engagement.reposts, video.engagement.views) == (640, 91000)
    comments = [m for m in spooled.values() if m.kind == "comment"]
    assert len(comments) == 60  # 20 hot comments and their 40 nested replies
    assert all(c.thread_id == f"bilibili:{bvid}" and c.brands == ("小米",) for c in comments)
    asked = {a.path: a.query for a in server.asked}
    assert asked["/x/v2/reply/main"]["oid"] == "32036576"
    assert asked["/x/web-interface/view"]["bvid"] == bvid


def test_tracked_tieba_threads_are_reread(config_for: Callable[[str], Config]) -> None:
    page = (Path(__file__).parents[1] / "fixtures" / "tieba" / "thread.html").read_bytes()

    def route(asked: Asked) -> Answer:
        if asked.path == "/p/8001":
            return Answer(page, headers={"Content-Type": "text/html; charset=utf-8"})
        return Answer(b"<html><body><div class='s_post_list'></div></body></html>")

    with PlatformServer(route) as server:
        seen = mention(
            "8001",
            "小米汽车刹车失灵",
            platform="tieba",
            sentiment="negative",
            at=utcnow() - timedelta(hours=1),
        )
        health, spooled = crawl_with_stored(config_for, "tieba", server.url, [seen])
    assert health.healthy, health.reason
    assert spooled["tieba:8001"].engagement.comments == 37
    reply = spooled["tieba:150002"]  # does not name the brand: counts for the thread's
    assert reply.thread_id == "tieba:8001" and reply.brands == ("小米",)
    assert "/p/8001" in {a.path for a in server.asked}


def test_the_cookie_never_reaches_the_logs_even_at_debug(capture: Capture) -> None:
    body = capture("weibo/m-search-shijiebei-2018-page7.json")

    def route(asked: Asked) -> Answer:
        if asked.query.get("page") == "1":
            return Answer(body)
        return Answer(b'{"ok":-100,"url":"https://passport.weibo.cn/signin"}')

    with PlatformServer(route) as server, tempfile.TemporaryDirectory() as tmp:
        spec = CrawlSpec(
            source="w",
            options=WeiboOptions(
                name="w",
                base_url=server.url,
                keywords=["世界杯"],
                cookie=SecretStr("SUB=TOPSECRET"),
                delay=timedelta(0),
                user_agents=["UA"],
            ),
            brands=(CrawlBrand(name="世界杯", aliases=()),),
            spool_path=str(Path(tmp) / "spool.sqlite3"),
            log_level="DEBUG",
        )
        done = subprocess.run(
            [sys.executable, "-m", "spiders.crawl"],
            input=spec.to_json().encode(),
            capture_output=True,
            timeout=120,
            check=True,
        )
    assert server.asked[0].headers["cookie"] == "SUB=TOPSECRET"
    logs = done.stderr.decode() + done.stdout.decode()
    assert "Crawled (200)" in logs and "login" in logs  # the debug log is really there
    assert "TOPSECRET" not in logs


def test_a_crawl_that_fetches_nothing_at_all_is_unhealthy(
    config_for: Callable[[str], Config],
) -> None:
    """Every feed refusing connections is not a quiet brand: the source is unhealthy,
    with the failure, and the feed's token is not in the reason."""
    closed = free_port()
    result, mentions = crawl(
        config_for,
        "  - name: 小米\n",
        f"    platform: rss\n    feeds: ['http://127.0.0.1:{closed}/f?access_token=T0KEN-abc']\n",
    )
    assert not result.healthy and not mentions
    assert result.reason.startswith("no page could be fetched: ")
    assert (
        "Connection" in result.reason and f"127.0.0.1:{closed}/f?access_token=***" in result.reason
    )


def test_a_redirect_into_the_local_network_is_refused(
    config_for: Callable[[str], Config], capture: Capture
) -> None:
    """A configured feed (explicitly local) answers 302 to another local service: the
    crawl does not follow it, the internal service is never asked, nothing of it is
    collected, and the refusal is counted."""
    internal_feed = capture("rss/rsshub-weibo-user-1935396210.xml")
    with PlatformServer(
        lambda asked: Answer(internal_feed, headers={"Content-Type": "application/rss+xml"})
    ) as internal:

        def route(asked: Asked) -> Answer:
            return Answer(status=302, headers={"Location": f"{internal.url}/admin/feed"})

        with PlatformServer(route) as feed:
            rss = f"    platform: rss\n    feeds: ['{feed.url}/feed']\n"
            result, mentions = crawl(config_for, "  - name: 致不灭的你", rss)
    assert [a.path for a in feed.asked] == ["/feed"]
    assert internal.asked == [], "the crawl followed a redirect into the local network"
    assert not mentions and result.errors >= 1 and not result.healthy
    assert "a local or private address the configuration does not name" in result.reason
