"""The shipped int8 pair models (the classifiers and the answer tagger) read a pair the same wherever it is read."""

import numpy as np
import pytest

from rag.models import ANSWER_SPANS_MODEL, RELEVANCE_MODEL
from rag.models.answer_spans import AnswerSpanReader
from rag.models.pair_classifier import PairClassifier

QUESTION = "Do synthetic vesicles from imaginary stromal cells carry invented microRNAs?"
SENTENCE = "Invented vesicles from imaginary stromal cells carried the made-up microRNA miR-0000."
POOL = [
    "A synthetic cohort was followed for a fictional length of time before any vesicles were counted.",
    SENTENCE,
    "Imaginary.",
]


@pytest.fixture(scope="module")
def relevance() -> PairClassifier:
    return PairClassifier(RELEVANCE_MODEL)


def test_a_pair_scores_the_same_alone_and_in_a_pool(relevance):
    alone = relevance.scores(QUESTION, [SENTENCE])[0]
    in_pool = relevance.scores(QUESTION, POOL)[1]
    assert alone == in_pool


def test_batched_scoring_lets_neighbours_move_a_pair(relevance):
    batched = PairClassifier(RELEVANCE_MODEL, batch_size=len(POOL))
    assert batched.scores(QUESTION, POOL)[1] != relevance.scores(QUESTION, [SENTENCE])[0]
    assert np.isclose(batched.scores(QUESTION, POOL)[1], relevance.scores(QUESTION, [SENTENCE])[0], atol=0.5)


def test_the_answer_tagger_reads_a_sentence_the_same_alone_and_among_others():
    tagger = AnswerSpanReader(ANSWER_SPANS_MODEL)
    alone, _ = tagger.probabilities(QUESTION, [SENTENCE])[0]
    among_others, _ = tagger.probabilities(QUESTION, POOL)[1]
    assert np.array_equal(alone, among_others)
