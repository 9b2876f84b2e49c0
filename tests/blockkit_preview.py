"""A close-enough HTML rendering of a Slack message's Block Kit, for screenshots.

Covers the blocks Listener sends (header, section with text or fields, context,
divider, actions) and Slack's mrkdwn (*bold*, `code`, <url|label>, <@U…>,
<!subteam^S…>, :emoji: codes Listener uses). Not Slack's renderer: a picture of
what the message carries, for the README and for layout tests.
"""

from __future__ import annotations

import base64
import html
import re
from typing import Any

EMOJI = {  # glyphs every system font has (CI machines carry no emoji font)
    ":red_circle:": '<span style="color:#d64545">●</span>',
    ":large_orange_circle:": '<span style="color:#e8833a">●</span>',
    ":large_yellow_circle:": '<span style="color:#e0b400">●</span>',
    ":white_check_mark:": '<span style="color:#3f9142">✔</span>',
    ":arrow_double_up:": '<span style="color:#d64545">▲</span>',
    ":eyes:": "»",
    ":no_bell:": "×",
    ":warning:": '<span style="color:#e0b400">▲</span>',
    ":chart_with_upwards_trend:": '<span style="color:#d64545">↗</span>',
    ":speech_balloon:": '<span style="color:#1d9bd1">◆</span>',
}


def mrkdwn(text: str) -> str:
    out = html.escape(html.unescape(text), quote=False)
    out = re.sub(r"&lt;!subteam\^(\w+)&gt;", r'<span class="m">@pr-oncall</span>', out)
    out = re.sub(r"&lt;@(\w+)&gt;", r'<span class="m">@\1</span>', out)
    out = re.sub(r"&lt;(https?://[^|&]+)\|([^&]+)&gt;", r'<a href="\1">\2</a>', out)
    out = re.sub(r"\*([^*\n]+)\*", r"<b>\1</b>", out)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    for code, glyph in EMOJI.items():
        out = out.replace(code, glyph)
    return out.replace("\n", "<br>")


def _block(block: dict[str, Any]) -> str:
    kind = block["type"]
    if kind == "header":
        return f'<div class="h">{mrkdwn(block["text"]["text"])}</div>'
    if kind == "divider":
        return "<hr>"
    if kind == "context":
        return '<div class="c">' + " ".join(mrkdwn(e["text"]) for e in block["elements"]) + "</div>"
    if kind == "section" and "fields" in block:
        cells = "".join(f'<div class="f">{mrkdwn(f["text"])}</div>' for f in block["fields"])
        return f'<div class="fs">{cells}</div>'
    if kind == "section":
        return f'<div class="s">{mrkdwn(block["text"]["text"])}</div>'
    if kind == "actions":
        buttons = "".join(
            f'<span class="b {e.get("style", "")}">{html.escape(e["text"]["text"])}</span>'
            for e in block["elements"]
        )
        return f'<div class="a">{buttons}</div>'
    raise ValueError(f"no preview for block type {kind!r}")


def message_html(blocks: list[dict[str, Any]], thread: list[str], chart: bytes | None) -> str:
    body = "".join(_block(b) for b in blocks)
    replies = "".join(f'<div class="r">{mrkdwn(t)}</div>' for t in thread)
    if chart is not None:
        data = base64.b64encode(chart).decode()
        replies += f'<div class="r"><img src="data:image/png;base64,{data}"></div>'
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ font-family: 'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif; margin: 0;
  background: #fff; color: #1d1c1d; font-size: 15px; }}
.msg {{ display: flex; padding: 16px 20px; max-width: 760px; }}
.avatar {{ width: 36px; height: 36px; border-radius: 6px; background: #3e6fb0; color: #fff;
  font-weight: 700; text-align: center; line-height: 36px; margin-right: 10px; flex: none; }}
.who {{ font-weight: 700; }} .who small {{ color: #616061; font-weight: 400; }}
.h {{ font-size: 18px; font-weight: 700; margin: 6px 0; }}
.s, .fs {{ margin: 6px 0; line-height: 1.45; }}
.fs {{ display: grid; grid-template-columns: 1fr 1fr; gap: 4px 16px; }}
.c {{ color: #616061; font-size: 12px; margin: 4px 0; }}
hr {{ border: 0; border-top: 1px solid #e8e8e8; margin: 10px 0; }}
a {{ color: #1264a3; text-decoration: none; }} .m {{ background: #e8f5fa; color: #1264a3; }}
code {{ background: #f6f6f6; border: 1px solid #ddd; border-radius: 3px; padding: 0 3px; }}
.a {{ margin: 10px 0; }} .b {{ display: inline-block; border: 1px solid #bbb;
  border-radius: 4px; padding: 4px 12px; margin: 0 8px 6px 0; font-size: 14px; font-weight: 700; }}
.b.primary {{ background: #007a5a; color: #fff; border-color: #007a5a; }}
.thread {{ border-left: 3px solid #e8e8e8; margin: 8px 0 0 46px; padding-left: 12px; }}
.r {{ margin: 6px 0; }} .r img {{ max-width: 560px; width: 100%; }}
</style></head><body><div class="msg"><div class="avatar">L</div><div>
<div class="who">Listener <small>APP</small></div>{body}</div></div>
<div class="thread">{replies}</div></body></html>"""
