"""The shipped int8 pair classifiers score a pair the same wherever it is scored."""

import numpy as np
import pytest

from rag.models import RELEVANCE_MODEL
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
