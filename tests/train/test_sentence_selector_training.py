"""Training the sentence selector: examples, the replay of the answer stage's own selection, and the
threshold rule (best precision that keeps the rule's key facts), on small synthetic candidate sets."""

import numpy as np
import pytest

from rag.answer.extractive import Candidate, ExtractiveGenerator, Scored
from rag.models import RELEVANCE_MODEL
from rag.models.pair_classifier import PairClassifier
from rag.models.sentence_selector import FEATURES, SentenceSelector
from tests.rag.answer.answer_fixtures import embedder  # noqa: F401 (fixture)
from train.sentence_selector import Case, choose_threshold, examples, replay, with_selector

FLOOR = 0.4


def case(question_id: str, rows: list[tuple[str, str, float, float]], gold: set[str], facts: list[list[str]]) -> Case:
    """rows: (pmid, sentence, cross-encoder probability, first-pass score); orthogonal vectors (no redundancy)."""
    candidates = [Candidate(pmid, text, rank, 0) for rank, (pmid, text, _, _) in enumerate(rows)]
    relevance = np.array([r[2] for r in rows])
    first_pass = np.array([r[3] for r in rows])
    scored = Scored(candidates, np.eye(len(rows), dtype=np.float32), relevance, first_pass, first_pass)
    return Case(question_id, frozenset(gold), facts, scored)


CASES = [
    # the gold record's fact sentence shares few words with the question; a distractor record shares many
    case("q1", [("1", "Synthetic factor QX-1 raised synthetic VEGF threefold.", 0.8, 0.5),
                ("2", "Synthetic questions about synthetic VEGF were asked.", 0.6, 0.6)], {"1"}, [["threefold"]]),
    case("q2", [("3", "Synthetic vesicles carried synthetic miR-77.", 0.9, 0.7),
                ("4", "Synthetic vesicles were counted by synthetic staff.", 0.55, 0.5)], {"3"}, [["miR-77"]]),
    case("q3", [], set(), [["anything"]]),
    Case("q4", frozenset({"5"}), [["refused"]], None),
]


@pytest.fixture(scope="module")
def generator(embedder) -> ExtractiveGenerator:  # noqa: F811 (fixture)
    return ExtractiveGenerator(embedder, scorer=PairClassifier(RELEVANCE_MODEL), floor=FLOOR, floor_signal="first_pass",
                               rescue=1.01)


def test_examples_are_the_read_candidates_labelled_by_gold_record(generator) -> None:
    features, labels = examples(generator, CASES)
    assert features.shape == (4, len(FEATURES))
    assert labels.tolist() == [1.0, 0.0, 1.0, 0.0]


def test_replay_scores_what_the_answer_stage_would_pick(generator) -> None:
    rule = replay(generator, CASES)
    # every sentence is over the floor, so the rule quotes both records of q1 and q2; q3 and q4 give nothing
    assert rule == {"questions": 4, "key_fact_recall": 0.5, "citation_gold_precision": 0.5, "sentences_per_answer": 1.0}


def test_the_threshold_keeps_the_rules_key_facts_and_cites_better(generator) -> None:
    # a selector that trusts the cross-encoder alone: P rises with the relevance feature
    weights = np.zeros(len(FEATURES))
    weights[FEATURES.index("relevance")] = 20.0
    fitted = SentenceSelector(-14.0, weights, 0.5)  # P = 0.5 at relevance 0.7
    threshold, rule, grid = choose_threshold(generator, fitted, CASES)
    chosen = grid[threshold]
    assert chosen["key_fact_recall"] >= rule["key_fact_recall"]
    assert chosen["citation_gold_precision"] == 1.0 > rule["citation_gold_precision"]
    assert replay(with_selector(generator, SentenceSelector(-14.0, weights, threshold)), CASES) == chosen
