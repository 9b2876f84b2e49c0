"""PNG charts for alerts and the digest, drawn with matplotlib (Agg, thread-safe Figures).

Chinese labels need a CJK font. The install provides one (Debian's
``fonts-wqy-microhei`` in the Makefile and the Docker image); any of the common
CJK families is used when present, and ``LISTENER_CJK_FONT`` may name a font file.
Without one, charts still render (a warning is logged once) but Chinese glyphs
show as boxes.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from alerts.catalogue import Words
from listener.domain import BrandDay, VolumePoint
from listener.logs import get_logger

log = get_logger(__name__)

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)
_FILE_HINTS = ("wqy", "notosanscjk", "sourcehansans", "msyh", "simhei", "pingfang")
COLOURS = {"negative": "#d64545", "neutral": "#9aa5b1", "positive": "#3f9142"}
PHONE_DPI = 170
_DRAW = threading.Lock()  # matplotlib's text layout caches are not thread-safe


@cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font (registered with matplotlib), or None."""
    configured = os.environ.get("LISTENER_CJK_FONT")
    paths = [Path(configured)] if configured else []
    known = {f.name for f in font_manager.fontManager.ttflist}
    if not configured:
        for family in CJK_FAMILIES:
            if family in known:
                return family
        paths = [
            Path(p)
            for p in sorted(font_manager.findSystemFonts())
            if any(h in Path(p).name.lower().replace("-", "") for h in _FILE_HINTS)
        ]
    for path in paths:
        try:
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
        except (OSError, RuntimeError, ValueError) as exc:
            log.warning("cannot use font", path=str(path), error=str(exc))
    log.warning(
        "no CJK font found: Chinese text in charts will show as boxes "
        "(install fonts-wqy-microhei or set LISTENER_CJK_FONT)"
    )
    return None


def _figure(width: float, height: float, dpi: int) -> Figure:
    font = cjk_font()
    fig = Figure(figsize=(width, height), dpi=dpi)
    fig.set_layout_engine("constrained")
    if font:
        matplotlib.rcParams["font.family"] = [font, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return fig


@contextmanager
def _canvas(width: float, height: float, phone: bool = False) -> Iterator[tuple[Figure, Axes]]:
    """A styled figure with one plot, drawn under the module's lock. ``phone``: the
    digest's charts, which an e-mail client shrinks to the screen's width (about 360
    CSS px): a narrower figure at a higher resolution, so the same pixel width carries
    labels about twice as large — ~11 px on a phone, ~18 px at 600 px on a desktop."""
    with _DRAW:
        fig = _figure(
            width * (0.65 if phone else 1),
            height * (0.8 if phone else 1),
            PHONE_DPI if phone else 110,
        )
        ax = fig.add_subplot()
        _style(ax, 9 if phone else 8)
        yield fig, ax


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _style(ax: Axes, size: float) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#e4e7eb", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=size)


def _stacked(
    ax: Axes,
    xs: Sequence[float],
    points: Sequence[VolumePoint],
    width: float,
    words: dict[str, str],
    legend: float = 8,
) -> None:
    bottom = [0.0] * len(points)
    for sentiment in ("negative", "neutral", "positive"):
        values = [float(getattr(p, sentiment)) for p in points]
        ax.bar(
            xs,
            values,
            width=width,
            bottom=bottom,
            color=COLOURS[sentiment],
            label=words[sentiment],
            align="edge",
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.legend(fontsize=legend, frameon=False, ncols=3, loc="upper left")


def volume_chart(points: Sequence[VolumePoint], timezone: str, words: Words | None = None) -> bytes:
    """The brand's last hours, bucket by bucket, stacked by sentiment (an alert's chart)."""
    label = (words or Words()).section("chart")
    tz = ZoneInfo(timezone)
    with _canvas(6.0, 2.4) as (fig, ax):
        if points:
            xs = list(range(len(points)))
            _stacked(ax, xs, points, 0.9, label)
            step = max(1, len(points) // 6)
            ax.set_xticks(xs[::step])
            ax.set_xticklabels([p.start.astimezone(tz).strftime("%H:%M") for p in points][::step])
            bucket = points[1].start - points[0].start if len(points) > 1 else timedelta(hours=1)
            hours = round((points[-1].start - points[0].start + bucket).total_seconds() / 3600)
        else:
            hours = 0
        ax.set_title(label["volume"].format(hours=hours), fontsize=10, loc="left")
        return _png(fig)


def trend_chart(
    days: Sequence[VolumePoint],
    timezone: str,
    words: Words | None = None,
    no_data: Sequence[datetime] = (),
) -> bytes:
    """Mentions per day stacked by sentiment; the last day (the digest's) is outlined.
    Days in ``no_data`` (nothing collected) are drawn as hatched gaps labelled so, not
    as zero bars."""
    label = (words or Words()).section("chart")
    missing = (words or Words())("digest.no_data")
    tz = ZoneInfo(timezone)
    with _canvas(6.0, 2.6, phone=True) as (fig, ax):
        xs = list(range(len(days)))
        if days:
            gaps = {x for x, d in zip(xs, days, strict=True) if d.start in set(no_data)}
            _stacked(ax, xs, days, 0.8, label, legend=9)
            ax.set_xticks([x + 0.4 for x in xs])
            ax.set_xticklabels([_day(d.start, tz) for d in days])
            last = days[-1]
            if xs[-1] not in gaps:
                ax.bar([xs[-1]], [last.total], width=0.8, align="edge", fill=False, linewidth=1.5)
            top = max([d.total for d in days] + [1])
            ax.set_ylim(0, top * 1.25)
            for x in sorted(gaps):
                ax.bar(
                    [x],
                    [top],
                    width=0.8,
                    align="edge",
                    color="#f4f6f8",
                    hatch="///",
                    edgecolor="#cbd2d9",
                    linewidth=0,
                )
                ax.text(
                    x + 0.4,
                    top / 2,
                    missing,
                    ha="center",
                    va="center",
                    rotation=90,
                    fontsize=9,
                    color="#7b8794",
                )
        ax.set_title(label["trend"], fontsize=11, loc="left")
        return _png(fig)


def brands_chart(brands: Sequence[BrandDay], words: Words | None = None) -> bytes:
    """Each brand's mentions on the day next to its 7-day average (none drawn where
    there is nothing earlier to compare with)."""
    label = (words or Words()).section("chart")
    with _canvas(6.0, 1.0 + 0.55 * max(1, len(brands)), phone=True) as (fig, ax):
        ax.grid(axis="x", color="#e4e7eb", linewidth=0.8)
        ys = list(range(len(brands)))
        ax.barh(
            [y + 0.2 for y in ys],
            [b.mentions for b in brands],
            0.4,
            color="#3e6fb0",
            label=label["yesterday"],
        )
        ax.barh(
            [y - 0.2 for y in ys],
            [b.previous_mentions_avg or 0.0 for b in brands],
            0.4,
            color="#c3cfe2",
            label=label["average"],
        )
        ax.set_yticks(ys)
        ax.set_yticklabels([b.brand for b in brands])
        ax.invert_yaxis()
        ax.legend(fontsize=9, frameon=False, ncols=2, loc="lower right")
        ax.set_title(label["brands"], fontsize=11, loc="left")
        return _png(fig)


def _day(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%m-%d")
