"""The simulated platform: the scenario as Weibo, Tieba and a news feed serve it.

One local HTTP server answers, as of its ``clock`` (the demo's simulated time):

- ``/weibo/api/container/getIndex?containerid=100103type=1&q=…&page=N``: m.weibo.cn's
  search JSON, 20 posts a page, newest first (reposts carry the root as
  ``retweeted_status``, with its counts as of the clock);
- ``/weibo/statuses/show?id=…``: one post with its current counts (tracked threads);
- ``/tieba/f?kw=…&pn=…``: a forum's thread list (today's threads, as Tieba dates them);
- ``/news/rss.xml``: an RSS 2.0 feed of the latest news items.

The bodies have the shapes the real platforms return (the parsers read them unchanged).
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from listener.demo.platform_server import Answer, Asked, PlatformServer
from listener.demo.scenario import FORUM, SHANGHAI, Post, Scenario

PAGE = 20
TIEBA_PAGE = 50
FEED_ITEMS = 20


class SimulatedPlatform:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.clock: datetime = scenario.start
        self.server = PlatformServer(self.route)

    def __enter__(self) -> SimulatedPlatform:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    @property
    def url(self) -> str:
        return self.server.url

    def route(self, asked: Asked) -> Answer:
        now = self.clock
        path = asked.path
        if path == "/weibo/api/container/getIndex":
            return _json(self.weibo_search(int(asked.query.get("page") or 1), now))
        if path == "/weibo/statuses/show":
            return _json(self.weibo_show(asked.query.get("id", ""), now))
        if path.startswith("/weibo/"):
            return _json({"ok": 0, "msg": "这里还没有内容"})
        if path == "/tieba/f":
            page = int(asked.query.get("pn") or 0) // TIEBA_PAGE + 1
            return _html(self.tieba_list(asked.query.get("kw", FORUM), page, now))
        if path == "/news/rss.xml":
            return Answer(
                self.news_feed(now).encode(),
                headers={"Content-Type": "application/rss+xml; charset=utf-8"},
            )
        return Answer(b"not found", status=404, headers={"Content-Type": "text/plain"})

    # -- Weibo ------------------------------------------------------------------------

    def weibo_search(self, page: int, now: datetime) -> dict[str, Any]:
        posts = self.scenario.visible("weibo", now)
        shown = posts[(page - 1) * PAGE : page * PAGE]
        if not shown:
            return {"ok": 0, "msg": "这里还没有内容"}
        more = page * PAGE < len(posts)
        return {
            "ok": 1,
            "data": {
                "cardlistInfo": {
                    "containerid": "100103type=1",
                    "page": page + 1 if more else None,
                    "starttime": int(now.timestamp()),
                    "total": len(posts),
                },
                "cards": [{"card_type": 9, "mblog": self.mblog(p, now)} for p in shown],
            },
        }

    def weibo_show(self, native_id: str, now: datetime) -> dict[str, Any]:
        post = next(
            (p for p in self.scenario.visible("weibo", now) if p.native_id == native_id), None
        )
        if post is None:
            return {"ok": 0, "msg": "该微博不存在"}
        return {"ok": 1, "data": self.mblog(post, now)}

    def mblog(self, post: Post, now: datetime) -> dict[str, Any]:
        root = self.scenario.root
        reposts = self.scenario.root_reposts(now) if post.native_id == root.native_id else 0
        blog: dict[str, Any] = {
            "created_at": post.published_at.astimezone(SHANGHAI).strftime(
                "%a %b %d %H:%M:%S %z %Y"
            ),
            "id": post.native_id,
            "mid": post.native_id,
            "text": html.escape(post.text),
            "source": "星曜X1",
            "user": {
                "id": int(post.author.id),
                "screen_name": post.author.name,
                "followers_count": post.author.followers,
                "verified": post.author.verified,
                "verified_reason": post.author.verified_reason,
            },
            "reposts_count": reposts,
            "comments_count": reposts * 3 // 5,
            "attitudes_count": reposts * 3,
            "isLongText": False,
        }
        if post.reposts_of == root.native_id:
            blog["retweeted_status"] = self.mblog(root, now)
        return blog

    # -- Tieba ------------------------------------------------------------------------

    def tieba_list(self, forum: str, page: int, now: datetime) -> str:
        today = now.astimezone(SHANGHAI).date()
        threads = [
            p
            for p in self.scenario.visible("tieba", now)
            if p.published_at.astimezone(SHANGHAI).date() == today
        ]
        shown = threads[(page - 1) * TIEBA_PAGE : page * TIEBA_PAGE]
        items = "\n".join(_tieba_item(p) for p in shown)
        more = page * TIEBA_PAGE < len(threads)
        nxt = (
            f'<a href="/f?kw={html.escape(forum)}&amp;ie=utf-8&amp;pn={page * TIEBA_PAGE}" '
            'class="next pagination-item">下一页&gt;</a>'
            if more
            else ""
        )
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{html.escape(forum)}吧-百度贴吧</title>"
            f'<script>var PageData = {{"forum": {{"name": {json.dumps(forum)}}}}};'
            f" var start_time = {int(now.timestamp())};</script></head><body>"
            f'<ul id="thread_list" class="threadlist_bright j_threadlist_bright">{items}</ul>'
            f'<div id="frs_list_pager" class="pagination-default">{nxt}</div></body></html>'
        )

    # -- news -------------------------------------------------------------------------

    def news_feed(self, now: datetime) -> str:
        items = "".join(_rss_item(p) for p in self.scenario.visible("news", now)[:FEED_ITEMS])
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            "<title>科技日报网 · 公司新闻</title><link>http://news.example/</link>"
            f"<description>公司新闻</description>{items}</channel></rss>"
        )


def _tieba_item(post: Post) -> str:
    field = json.dumps(
        {"id": int(post.native_id), "author_name": post.author.name, "reply_num": post.replies},
        ensure_ascii=False,
    )
    author = json.dumps({"user_id": int(post.author.id)})
    stamp = post.published_at.astimezone(SHANGHAI).strftime("%H:%M")
    title = html.escape(post.title)
    return (
        f"<li class=\" j_thread_list clearfix\" data-field='{html.escape(field, quote=False)}'>"
        f'<div class="threadlist_title"><a rel="noreferrer" href="/p/{post.native_id}" '
        f'title="{title}" target="_blank" class="j_th_tit ">{title}</a></div>'
        f"<span class=\"tb_icon_author \" data-field='{author}'>"
        f"{html.escape(post.author.name)}</span>"
        f'<span class="pull-right is_show_create_time" title="创建时间">{stamp}</span>'
        f'<div class="threadlist_abs threadlist_abs_onlyline ">{html.escape(post.text)}</div></li>'
    )


def _rss_item(post: Post) -> str:
    link = f"http://news.example/{post.native_id}.html"
    return (
        f"<item><title>{html.escape(post.title)}</title><link>{link}</link>"
        f'<guid isPermaLink="false">{post.native_id}</guid>'
        f"<pubDate>{format_datetime(post.published_at.astimezone(SHANGHAI))}</pubDate>"
        f"<description>{html.escape(post.text)}</description></item>"
    )


def _json(payload: dict[str, Any]) -> Answer:
    return Answer(json.dumps(payload, ensure_ascii=False).encode())


def _html(text: str) -> Answer:
    return Answer(text.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
