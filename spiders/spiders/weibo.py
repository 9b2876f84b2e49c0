"""m.weibo.cn: keyword search, brand accounts' timelines, full texts of long posts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import quote

import scrapy
from pydantic import Field
from scrapy.http import Response
from twisted.python.failure import Failure

from listener.config.types import NonEmptyStr
from listener.domain import Mention
from spiders.options import WebOptions
from spiders.parsers import weibo
from spiders.parsers.base import Blocked, Page, ParseContext, Unparseable
from spiders.spiders.platform import PlatformSpider, failed_request


class WeiboOptions(WebOptions):
    """m.weibo.cn JSON: keyword search, official accounts' timelines, full long texts."""

    platform: Literal["weibo"] = "weibo"
    base_url: str = "https://m.weibo.cn"
    search: bool = True
    users: list[NonEmptyStr] = []
    """Numeric uids whose timelines to collect (the brand's official accounts)."""
    long_text: bool = True
    """Fetch the full text of posts Weibo truncates (one more request per long post)."""
    track_threads: int = Field(default=20, ge=0, le=200)
    """Re-visit this many recent negative threads (the most engaging, within
    ``track_for``) on every crawl: their current counts (``statuses/show``, which
    the viral-thread detector reads growth from) and their hot comments."""

    def tracked_threads(self) -> tuple[int, timedelta]:
        return self.track_threads, self.track_for


class WeiboSpider(PlatformSpider[WeiboOptions]):
    Config = WeiboOptions

    @staticmethod
    def parse_body(body: bytes, ctx: ParseContext) -> Page:
        return weibo.parse(body, ctx)

    @property
    def base(self) -> str:
        return self.options.base

    def search_url(self, keyword: str, page_no: int) -> str:
        container = quote(f"100103type=1&q={keyword}", safe="")
        return (
            f"{self.base}/api/container/getIndex?containerid={container}"
            f"&page_type=searchall&page={page_no}"
        )

    def timeline_url(self, uid: str, since_id: str = "") -> str:
        url = f"{self.base}/api/container/getIndex?containerid=107603{uid}"
        return f"{url}&since_id={since_id}" if since_id else url

    def first_requests(self) -> Iterable[scrapy.Request]:
        if self.options.search:
            for keyword in self.keywords():
                yield self.request(self.search_url(keyword, 1), keyword=keyword)
        for uid in self.options.users:
            yield self.request(self.timeline_url(uid), uid=uid)
        for thread in self.spec.tracked:
            brands = list(thread.brands)
            show = f"{self.base}/statuses/show?id={thread.native_id}"
            comments = (
                f"{self.base}/comments/hotflow?id={thread.native_id}"
                f"&mid={thread.native_id}&max_id_type=0"
            )
            yield self.request(show, callback=self.tracked, brands=brands)
            yield self.request(comments, callback=self.tracked, brands=brands)

    def next_request(self, response: Response, page: Page) -> scrapy.Request | None:
        page_no = int(response.meta.get("page_no", 1))
        if "keyword" in response.meta:
            keyword = response.meta["keyword"]
            return self.request(
                self.search_url(keyword, page_no + 1), page_no=page_no + 1, keyword=keyword
            )
        if "uid" in response.meta and page.next_token:
            uid = response.meta["uid"]
            return self.request(
                self.timeline_url(uid, page.next_token), page_no=page_no + 1, uid=uid
            )
        return None

    def extra_requests(
        self, response: Response, page: Page, fresh: list[Mention]
    ) -> Iterable[scrapy.Request]:
        if not self.options.long_text:
            return
        truncated = set(page.long_text_ids)
        for mention in fresh:
            if mention.native_id in truncated:
                yield self.follow_up(
                    f"{self.base}/statuses/extend?id={mention.native_id}",
                    mention,
                    self.full_text,
                    self.full_text_failed,
                    priority=10,
                )

    def full_text(self, response: Response) -> Iterator[Mention]:
        listed: Mention = response.meta["mention"]
        try:
            page = self.parse_body(response.body, self.context(response))
        except (Blocked, Unparseable) as exc:
            self.note_error(response.url, f"full text unavailable: {exc}")
            yield listed
            return
        full = next((m for m in page.mentions if m.native_id == listed.native_id), None)
        if full is None or not full.text:
            yield listed
            return
        self.crawler.stats.inc_value("listener/long_texts")
        yield listed.model_copy(
            update={
                "text": full.text,
                "text_original": "",
                "long_text": True,
                "engagement": full.engagement if full.engagement.total else listed.engagement,
            }
        )

    def full_text_failed(self, failure: Failure) -> Iterator[Any]:
        """The post is still worth keeping with its truncated text."""
        self.note_error(failed_request(failure).url, f"full text: {failure.getErrorMessage()}")
        yield failed_request(failure).meta["mention"]
