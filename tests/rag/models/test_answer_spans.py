"""Decoding the answer tagger's per-token tags into answer spans (pure; synthetic tokens and scores)."""

import numpy as np
import pytest

from rag.models.answer_spans import decode_spans

SENTENCE = "Capecitabine plus zorbinotecan cured synthetic mice."
# tokens: [CLS] q [SEP] "cape" "##cita" "##bine" "plus" "zorbi" "##notecan" "cured" ... [SEP]
OFFSETS = [(0, 0), (0, 5), (0, 0), (0, 4), (4, 8), (8, 12), (13, 17), (18, 23), (23, 30), (31, 36), (0, 0)]
IN_TEXT = [False, False, False, True, True, True, True, True, True, True, False]


def tags(rows: list[tuple[float, float, float]]) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


OUT = (0.9, 0.05, 0.05)


def test_a_begin_tag_and_its_word_pieces_make_one_span_scored_by_its_tags():
    probabilities = tags(
        [OUT, (0.1, 0.9, 0.0), OUT, (0.1, 0.8, 0.1), (0.2, 0.1, 0.7), (0.3, 0.1, 0.6), OUT, OUT, OUT, OUT, OUT]
    )
    spans = decode_spans(probabilities, OFFSETS, IN_TEXT, SENTENCE)
    assert [s.text for s in spans] == ["Capecitabine"]
    assert spans[0].score == pytest.approx(np.mean([0.8, 0.7, 0.6]))


def test_question_tokens_never_start_a_span_and_two_answers_stay_apart():
    probabilities = tags(
        [
            OUT,
            (0.0, 1.0, 0.0),
            OUT,
            (0.1, 0.8, 0.1),
            (0.1, 0.1, 0.8),
            (0.1, 0.1, 0.8),
            OUT,
            (0.2, 0.7, 0.1),
            (0.2, 0.1, 0.7),
            OUT,
            OUT,
        ]
    )
    spans = decode_spans(probabilities, OFFSETS, IN_TEXT, SENTENCE)
    assert [s.text for s in spans] == ["Capecitabine", "zorbinotecan"]


def test_a_word_piece_inside_a_word_does_not_open_a_span_and_weak_begins_are_left_out():
    probabilities = tags([OUT, OUT, OUT, OUT, (0.1, 0.8, 0.1), OUT, OUT, (0.85, 0.1, 0.05), OUT, OUT, OUT])
    assert decode_spans(probabilities, OFFSETS, IN_TEXT, SENTENCE) == []
    assert [s.text for s in decode_spans(probabilities, OFFSETS, IN_TEXT, SENTENCE, min_begin=0.1)] == ["zorbinotecan"]
