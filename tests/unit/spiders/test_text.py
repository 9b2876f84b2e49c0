from __future__ import annotations

from spiders.text import html_to_text, normalise


def test_html_to_text_keeps_what_a_reader_sees() -> None:
    html = '发热严重<img alt="[怒]" src="x.png"><br/>客服 <a href="/n/1">@小米客服</a>&amp; 退款'
    assert html_to_text(html) == "发热严重[怒]\n客服 @小米客服& 退款"


def test_normalise() -> None:
    assert normalise("  ＳＵ７\u3000 真好  \r\n\r\n\n 第二行 ") == "SU7 真好\n第二行"
