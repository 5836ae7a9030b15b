"""Training the sentence selector: examples, the replay of the answer stage's own selection, the trees'
ONNX export and the threshold rule (best F1 of key-fact recall and citation precision), on small synthetic
candidate sets."""

import numpy as np
import pytest

from rag.answer.extractive import Candidate, ExtractiveGenerator, Scored
from rag.models import RELEVANCE_MODEL
from rag.models.pair_classifier import PairClassifier
from rag.models.sentence_selector import FEATURES, SentenceSelector
from tests.rag.answer.answer_fixtures import embedder  # noqa: F401 (fixture)
from train.sentence_selector import (
    F1_BAND,
    Case,
    choose_threshold,
    examples,
    f1,
    fit_onnx,
    out_of_fold,
    replay,
    tally,
    with_metadata,
    with_selector,
)

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


@pytest.fixture(scope="module")
def trusts_the_cross_encoder() -> SentenceSelector:
    """Trees fitted on examples whose label is exactly "relevance >= 0.7" (every other feature 0)."""
    relevance = np.linspace(0.0, 1.0, 400)
    features = np.zeros((len(relevance), len(FEATURES)))
    features[:, FEATURES.index("relevance")] = relevance
    return SentenceSelector.from_model(with_metadata(fit_onnx(features, (relevance >= 0.7).astype(float), 13), 0.5))


def test_the_exported_trees_carry_their_features_and_threshold(trusts_the_cross_encoder) -> None:
    assert trusts_the_cross_encoder.threshold == 0.5
    rows = np.zeros((2, len(FEATURES)))
    rows[:, FEATURES.index("relevance")] = [0.9, 0.4]
    high, low = trusts_the_cross_encoder.probabilities(rows)
    assert high > 0.9 and low < 0.1
    assert trusts_the_cross_encoder.with_threshold(0.3).threshold == 0.3


def test_f1_weighs_recall_and_precision_alike() -> None:
    assert f1({"key_fact_recall": 0.5, "citation_gold_precision": 1.0}) == pytest.approx(2 / 3)
    assert f1({"key_fact_recall": 1.0, "citation_gold_precision": 0.5}) == pytest.approx(2 / 3)
    assert f1({"key_fact_recall": None, "citation_gold_precision": None}) == 0.0


def test_the_highest_threshold_near_the_best_f1_cites_better_than_the_rule(generator, trusts_the_cross_encoder) -> None:
    threshold, rule, grid = choose_threshold(generator, [(trusts_the_cross_encoder, CASES)])
    chosen = grid[threshold]
    best = max(f1(r) for r in grid.values())
    assert chosen["key_fact_recall"] >= rule["key_fact_recall"]
    assert chosen["citation_gold_precision"] == 1.0 > rule["citation_gold_precision"]
    assert f1(chosen) >= best - F1_BAND
    assert all(f1(grid[t]) < best - F1_BAND for t in grid if t > threshold), "within the band the highest is taken"
    assert replay(with_selector(generator, trusts_the_cross_encoder.with_threshold(threshold)), CASES) == chosen


def test_tallies_of_folds_pool_before_they_are_summarised(generator) -> None:
    first, second = tally(generator, CASES[:2]), tally(generator, CASES[2:])
    assert (first + second).summary() == replay(generator, CASES)
    assert first.summary()["key_fact_recall"] == 1.0 and second.summary()["key_fact_recall"] == 0.0


def test_out_of_fold_holds_out_every_training_question_exactly_once(generator) -> None:
    many = [Case(f"{c.question_id}-{i}", c.gold, c.key_facts, c.scored) for i in range(5) for c in CASES[:2]]
    readings = out_of_fold(generator, many, seed=13, folds=2)
    held = [case.question_id for _, cases in readings for case in cases]
    assert sorted(held) == sorted(c.question_id for c in many)
    assert all(isinstance(selector, SentenceSelector) for selector, _ in readings)
