"""The model's tokenizer: one token per Chinese character, WordPiece for Latin words
and numbers, Weibo emoji codes (``[怒]``, ``[泪]``…) as single tokens.

Built with the ``tokenizers`` library directly and saved as ``tokenizer.json``.
(With transformers 5.x, ``BertTokenizerFast(vocab_file=…)`` silently ignores the
vocabulary file; loading ``tokenizer.json`` through ``PreTrainedTokenizerFast``
does not — ``unk_rate`` on real text is asserted in the tests.)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece
from tokenizers.trainers import WordPieceTrainer

SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
EMOJI_CODE = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,6}\]")
"""Weibo's emoji codes as they appear in post text: ``[怒]``, ``[笑cry]``, ``[doge]``."""


def emoji_codes(texts: Iterable[str], min_count: int = 20, most: int = 300) -> list[str]:
    """The emoji codes frequent enough to get a token of their own."""
    counts = Counter(code for text in texts for code in EMOJI_CODE.findall(text))
    return [code for code, n in counts.most_common(most) if n >= min_count]


def build(texts: Iterable[str], vocab_size: int = 8000, emoji: Iterable[str] = ()) -> Tokenizer:
    """Train the vocabulary on ``texts`` (CJK characters become single tokens before
    WordPiece sees them; Latin text is lower-cased)."""
    tokenizer = Tokenizer(WordPiece(unk_token="[UNK]", max_input_chars_per_word=50))
    tokenizer.normalizer = normalizers.Sequence(
        [  # NFKC first: full-width punctuation and letters as the pipeline stores them
            normalizers.NFKC(),
            normalizers.BertNormalizer(
                clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=True
            ),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = WordPieceTrainer(
        vocab_size=vocab_size, min_frequency=3, special_tokens=list(SPECIAL), show_progress=False
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    tokenizer.add_tokens(list(emoji))
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return tokenizer


def load(path: Path) -> Tokenizer:
    return Tokenizer.from_file(str(path))


def unk_rate(tokenizer: Tokenizer, texts: Iterable[str]) -> float:
    """Share of [UNK] among the tokens of ``texts`` (specials not counted)."""
    unk = tokenizer.token_to_id("[UNK]")
    total = unknown = 0
    for encoding in tokenizer.encode_batch(list(texts), add_special_tokens=False):
        total += len(encoding.ids)
        unknown += sum(1 for i in encoding.ids if i == unk)
    return unknown / total if total else 0.0


def corpus_texts(limit: int | None = None) -> Iterator[str]:
    """What the vocabulary is trained on: the unlabelled Weibo posts and the training
    split of the labelled corpora (never dev or test)."""
    from models.data import datasets_dir, labelled, select, unlabeled_weibo

    for i, text in enumerate(unlabeled_weibo(datasets_dir())):
        if limit is not None and i >= limit:
            break
        yield text
    for example in select(labelled(), "train"):
        yield example.text
