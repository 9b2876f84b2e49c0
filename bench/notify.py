"""Time one alert (Block Kit + chart, from the store) and one digest over 100k mentions.

``python -m bench.notify [--mentions 100000]``: loads an embedded SQLite store with
mentions spread over the digest's 8 days (3 brands), then times, median of
``--repeat`` runs: the alert's store read (last 6 hours by sentiment), its blocks and
its PNG chart; the digest's store reads, its HTML + text + two charts, and the MIME
message. Figures depend on the machine; compare runs on the same one.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from alerts.charts import volume_chart
from alerts.digest_mail import build_message, render
from alerts.slack_blocks import incident_blocks
from listener.app import App
from listener.config.loader import load_config
from listener.domain import Author, Engagement, Mention, Score, SentimentLabel
from tests.factories import incident_event

NOW = datetime(2026, 11, 21, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai: the digest's send time
DAY_END = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # the digest day's end; the alert's time
BRANDS = ("小米", "蔚来", "华为")
TEXTS = ("发热严重，客服敷衍", "换电站排队一个小时", "开起来很流畅，推荐", "新品发布会直播")
LABELS: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")
T = TypeVar("T")


def mentions(n: int) -> list[Mention]:
    start = DAY_END - timedelta(days=8)
    step = timedelta(days=8) / n
    return [
        Mention.create(
            platform=("weibo", "zhihu", "bilibili")[i % 3],
            native_id=str(i),
            source="bench",
            text=f"{BRANDS[i % 3]}{TEXTS[i % 4]} #{i}",
            published_at=start + i * step,
            collected_at=start + i * step,
            author=Author(id=f"u{i % 5000}", name=f"用户{i % 5000}", followers=i % 100_000),
            engagement=Engagement(reposts=i % 97, comments=i % 13, likes=i % 211),
            brands=(BRANDS[i % 3],),
            sentiment=Score(label=LABELS[i % 3], negative=0.3, positive=0.3, model_version="b"),
            url=f"https://m.weibo.cn/status/{i}",
        )
        for i in range(n)
    ]


def timed(work: Callable[[], T], repeat: int) -> tuple[T, float]:
    """The last result and the median wall time in seconds."""
    times = []
    result: T | None = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    assert result is not None
    return result, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="listener-bench-") as folder:
        config_file = Path(folder) / "listener.yml"
        config_file.write_text(
            f"daemon: {{data_dir: {folder}/data}}\n"
            "brands: [{name: 小米}, {name: 蔚来}, {name: 华为}]\n",
            encoding="utf-8",
        )
        app = App.build(load_config(config_file))
        try:
            started = time.perf_counter()
            data = mentions(args.mentions)
            for i in range(0, len(data), 5000):
                app.store.bulk_upsert(data[i : i + 5000])
            print(f"loaded {args.mentions:,} mentions in {time.perf_counter() - started:.1f} s")

            event = incident_event()
            volume, read_s = timed(lambda: app.detection.volume("小米", DAY_END), args.repeat)
            blocks, blocks_s = timed(
                lambda: incident_blocks(event, interactive=True, mention="S0"), args.repeat
            )
            png, chart_s = timed(lambda: volume_chart(volume, "Asia/Shanghai"), args.repeat)
            total = read_s + blocks_s + chart_s
            print(
                f"alert:  store read {read_s * 1000:.1f} ms ({sum(p.total for p in volume):,} "
                f"mentions in 6 h) + blocks {blocks_s * 1000:.2f} ms ({len(blocks)} blocks) + "
                f"chart {chart_s * 1000:.0f} ms ({len(png) // 1024} KB) = {total * 1000:.0f} ms"
            )

            digest, digest_s = timed(lambda: app.digests.build("leadership", NOW), args.repeat)
            mail, render_s = timed(lambda: render(digest), args.repeat)
            message, mime_s = timed(
                lambda: build_message(mail, "l@example.com", ("ceo@example.com",)), args.repeat
            )
            size = len(message.as_bytes())
            day = sum(b.mentions for b in digest.brands)
            print(
                f"digest: store reads {digest_s * 1000:.0f} ms ({day:,} mentions on the day, "
                f"{sum(p.total for p in digest.trend):,} over 8 days) + render "
                f"{render_s * 1000:.0f} ms (HTML {len(mail.html) // 1024} KB, text, 2 charts) + "
                f"MIME {mime_s * 1000:.1f} ms ({size // 1024} KB) = "
                f"{(digest_s + render_s + mime_s) * 1000:.0f} ms"
            )
        finally:
            app.close()


if __name__ == "__main__":
    main()
