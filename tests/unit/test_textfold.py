from __future__ import annotations

from listener.enrichers.crisis_terms import crisis_terms
from listener.scorers.lexicon import LexiconScorer
from listener.stats.neardup import clusters
from listener.textfold import fold, model_form
from spiders.normalise import normalise_mention
from tests.factories import mention


def test_fold_ignores_width_case_and_script() -> None:
    folded = "小米su7的刹车失灵了!"
    assert fold("小米ＳＵ７的剎車失靈了！") == fold("小米SU7的刹车失灵了!") == folded


def test_model_form_keeps_case_but_not_width_or_script() -> None:
    assert model_form("ＳＵ７剎車失靈！Great") == "SU7刹车失灵!Great"


def test_a_post_is_stored_as_written() -> None:
    written = "蔚來ES6續航提升明顯，點贊！[doge]"
    cleaned = normalise_mention(mention("1", written))
    assert cleaned.text == written
    assert cleaned.text_original == ""


def test_crisis_terms_match_traditional_and_full_width_text() -> None:
    assert crisis_terms("剎車失靈！已經報警", ["刹车失灵", "起火", "报警"]) == ("刹车失灵", "报警")


def test_near_duplicates_across_scripts_and_widths() -> None:
    texts = ["小米汽车刹车失灵，大家小心！！", "小米汽車剎車失靈,大家小心!!", "今天天气很好"]
    assert clusters(texts, 0.6) == [[0, 1]]


def test_the_sentiment_model_reads_traditional_text_as_simplified() -> None:
    scorer = LexiconScorer()
    written, simple = scorer.score(["質量太差了，氣死我了！退貨！", "质量太差了,气死我了!退货!"])
    assert written == simple and written.label == "negative"
