"""Find the words that answer a question inside an evidence sentence: a small int8 ONNX token tagger.

The model reads (question, sentence) like the cross-encoders and tags each sentence token O (outside),
B (begins an answer) or I (inside one), the way BioASQ factoid and list answers ("capecitabine",
"irinotecan") sit in their expert snippets. ONNX Runtime plus the ``tokenizers`` package only, so serving
never imports torch. Decoding is a pure function of the tag probabilities and the token offsets.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.models.pair_classifier import SENTENCE_MAX_LENGTH, batch_feeds, bundled_tokenizer_path, open_session

LABELS = ("O", "B", "I")
OUTSIDE, BEGIN, INSIDE = range(3)
MAX_SPAN_TOKENS = 12


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of a sentence that answer the question, with the tagger's confidence."""

    text: str
    start: int
    end: int
    score: float


class SpanTagger(Protocol):
    """Anything that finds answer spans in sentences (the ONNX reader, or one opened on first use)."""

    def read(self, question: str, sentences: Sequence[str]) -> list[list[Span]]: ...


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _word_end(text: str, end: int) -> int:
    """Extend a cut inside a word ("capecitab|ine") to the word's end."""
    while end < len(text) and text[end].isalnum():
        end += 1
    return end


def decode_spans(
    probabilities: np.ndarray,
    offsets: Sequence[tuple[int, int]],
    in_text: Sequence[bool],
    text: str,
    *,
    min_begin: float = 0.2,
) -> list[Span]:
    """Spans from per-token (O, B, I) probabilities.

    A span opens at a text token whose P(B) reaches `min_begin` and beats P(I) (so a weak start is still
    a candidate for the caller to rank), runs over the following tokens tagged I (or word pieces of the
    same word), and scores the mean of its tokens' own tag probabilities. Overlapping spans keep the best.

    Args:
        probabilities: tokens x 3, softmaxed tag probabilities.
        offsets: each token's (start, end) characters in `text`.
        in_text: whether each token belongs to the sentence (not the question, not a special token).
        text: the sentence.
    """
    spans: list[Span] = []
    n = len(offsets)
    for i in range(n):
        if not in_text[i] or probabilities[i, BEGIN] < min_begin or probabilities[i, BEGIN] < probabilities[i, INSIDE]:
            continue
        if (
            i > 0
            and in_text[i - 1]
            and offsets[i - 1][1] == offsets[i][0]
            and text[offsets[i][0] - 1 : offsets[i][0]].isalnum()
        ):
            continue  # a word piece in the middle of a word does not start an answer
        tag_scores = [probabilities[i, BEGIN]]
        j = i + 1
        while j < n and in_text[j] and j - i < MAX_SPAN_TOKENS:
            glued = offsets[j][0] == offsets[j - 1][1] and text[offsets[j][0] : offsets[j][0] + 1].isalnum()
            if not glued and probabilities[j].argmax() != INSIDE:
                break
            tag_scores.append(
                probabilities[j, INSIDE] if not glued else max(probabilities[j, INSIDE], probabilities[j, BEGIN])
            )
            j += 1
        start, end = offsets[i][0], _word_end(text, offsets[j - 1][1])
        surface = text[start:end].strip(" ,;:.()[]")
        if surface:
            spans.append(Span(surface, start, end, float(np.mean(tag_scores))))
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: -s.score):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


class AnswerSpanReader:
    """The int8 ONNX tagger: `read(question, sentences)` gives each sentence's answer spans.

    One sentence per run by default, as the pair classifiers: the int8 graph's activation scale is per batch, so
    in a batch a sentence's tags would move with its neighbours."""

    def __init__(self, path: Path | str, tokenizer_path: Path | str | None = None, *, batch_size: int = 1):
        from tokenizers import Tokenizer

        self.path = Path(path)
        self.session = open_session(self.path)
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path or bundled_tokenizer_path()))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(SENTENCE_MAX_LENGTH, strategy="only_second")
        self.batch_size = batch_size

    def probabilities(self, question: str, sentences: Sequence[str]) -> list[tuple[np.ndarray, object]]:
        """Per sentence: its tokens' tag probabilities and the tokenizer's encoding (offsets, sequence ids)."""
        encodings = self.tokenizer.encode_batch([(question, s) for s in sentences])
        out: list = [None] * len(sentences)
        for batch, feed in batch_feeds(encodings, self.batch_size):
            logits = self.session.run(["logits"], feed)[0]
            for row, i in enumerate(batch):
                out[i] = (softmax(logits[row, : len(encodings[i].ids)]), encodings[i])
        return out

    def read(self, question: str, sentences: Sequence[str], *, min_begin: float = 0.2) -> list[list[Span]]:
        """The answer spans of each sentence, in sentence order."""
        return decode_readings(self.probabilities(question, sentences), sentences, min_begin=min_begin)


def decode_readings(
    readings: Sequence[tuple[np.ndarray, object]], sentences: Sequence[str], *, min_begin: float = 0.2
) -> list[list[Span]]:
    """`decode_spans` for each (probabilities, encoding) reading of `AnswerSpanReader.probabilities`."""
    found = []
    for (probabilities, encoding), sentence in zip(readings, sentences, strict=True):
        in_text = [sid == 1 for sid in encoding.sequence_ids]
        found.append(decode_spans(probabilities, encoding.offsets, in_text, sentence, min_begin=min_begin))
    return found
