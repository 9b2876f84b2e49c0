from __future__ import annotations

from spiders.text import html_to_text, normalise


def test_html_to_text_keeps_what_a_reader_sees() -> None:
    html = '发热严重<img alt="[怒]" src="x.png"><br/>客服 <a href="/n/1">@小米客服</a>&amp; 退款'
    assert html_to_text(html) == "发热严重[怒]\n客服 @小米客服& 退款"


def test_normalise_collapses_spaces_and_keeps_the_text_as_written() -> None:
    assert normalise("  ＳＵ７\u3000 真好  \r\n\r\n\n 第二行 ") == "ＳＵ７ 真好\n第二行"
    assert normalise("退款！\u200b臺灣，[doge]") == "退款！臺灣，[doge]"
    assert normalise("e\u0301") == "\u00e9"  # canonical composition only
