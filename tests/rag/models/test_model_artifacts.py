"""The shipped models load without torch, score obviously (ir)relevant synthetic pairs the right way
round, and match their cards."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.models import ANSWER_FORM_WEIGHTS, ANSWER_SPANS_MODEL, QUESTION_KIND_WEIGHTS, RELEVANCE_MODEL, VERDICT_MODEL
from rag.models.answer_spans import AnswerSpanReader
from rag.models.pair_classifier import PairClassifier, length_batches, pad, sigmoid
from rag.models.question_kind import answer_form, answer_form_scores, is_yes_no_question, yes_no_probability
from train.export import sha256_of

QUESTION = "Does hypoxic preconditioning increase VEGF secretion by mesenchymal stem cells?"
RELEVANT = "Hypoxic preconditioning increased VEGF secretion by mesenchymal stem cells threefold."
IRRELEVANT = "The synthetic teapot was painted blue on a rainy Tuesday afternoon."


def test_pure_helpers():
    assert length_batches([5, 1, 3, 2], 2) == [[1, 3], [2, 0]]
    assert pad([[1, 2, 3], [4]]).tolist() == [[1, 2, 3], [4, 0, 0]]
    assert np.allclose(sigmoid(np.array([0.0])), [0.5])


@pytest.mark.parametrize(
    "path", [RELEVANCE_MODEL, VERDICT_MODEL, ANSWER_SPANS_MODEL], ids=["relevance", "verdict", "answer-tagger"]
)
def test_card_matches_the_artifact(path: Path):
    card = json.loads((path.parent / "card.json").read_text())
    assert card["sha256"] == sha256_of(path)
    assert path.stat().st_size < 30 * 1024 * 1024
    assert card["test"] and card["command"].startswith("python -m train")


@pytest.mark.parametrize("path", [QUESTION_KIND_WEIGHTS, ANSWER_FORM_WEIGHTS], ids=["yes-no", "answer-form"])
def test_question_kind_cards_match_the_weights(path: Path):
    card = json.loads(path.with_suffix(".card.json").read_text())
    assert card["sha256"] == sha256_of(path)
    assert card["test"]["accuracy" if path == ANSWER_FORM_WEIGHTS else "all_accuracy"] > 0.7


def test_relevance_model_prefers_the_relevant_sentence_and_keeps_input_order():
    model = PairClassifier(RELEVANCE_MODEL)
    scores = model.scores(QUESTION, [IRRELEVANT, RELEVANT, IRRELEVANT + " " + IRRELEVANT])
    assert scores.shape == (3,)
    assert scores[1] > scores[0] + 0.3 and scores[1] > scores[2] + 0.3  # logits are compressed: compare, not threshold
    assert model.scores(QUESTION, []).shape == (0,)


def test_verdict_model_reads_the_evidence():
    model = PairClassifier(VERDICT_MODEL)
    p = model.probabilities(
        "Does synthetic factor QX-1 heal wounds?",
        [
            "In this trial, synthetic factor QX-1 significantly accelerated wound healing.",
            "In this trial, synthetic factor QX-1 had no effect on wound healing.",
        ],
    )
    assert 0 <= p.min() and p.max() <= 1
    assert p[0] > p[1]


def test_answer_tagger_marks_the_answering_words_and_nothing_in_an_unrelated_sentence():
    tagger = AnswerSpanReader(ANSWER_SPANS_MODEL)
    answering, unrelated = tagger.read(
        "Which microRNAs do synthetic mesenchymal stem cell exosomes carry?",
        [
            "Synthetic exosomes from mesenchymal stem cells carried miR-21 and miR-146a into injured cardiomyocytes.",
            IRRELEVANT,
        ],
    )
    assert {s.text for s in answering} >= {"miR-21", "miR-146a"}
    assert all(s.score > 0.5 for s in answering if s.text.startswith("miR"))
    assert unrelated == []
    assert tagger.read("Which?", []) == []


def test_serving_path_does_not_import_torch():
    code = (
        "import sys; from rag.models.pair_classifier import PairClassifier; from rag.models import RELEVANCE_MODEL;"
        "from rag.models.question_kind import is_yes_no_question; is_yes_no_question('Is it?');"
        "PairClassifier(RELEVANCE_MODEL).scores('q', ['t']);"
        "from rag.models.answer_spans import AnswerSpanReader; from rag.models import ANSWER_SPANS_MODEL;"
        "AnswerSpanReader(ANSWER_SPANS_MODEL).read('q', ['t']);"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[3])


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Hypoxic preconditioning: does it raise VEGF in the MSC secretome?", True),
        ("Conditioned medium for wound healing: are the effects dose dependent?", True),
        ("MSC exosomes in sepsis: a safe alternative to cell therapy?", True),
        ("And do they contain microRNAs?", True),
        ("Is the secretome of adipose MSCs angiogenic?", True),
        ("Which is more effective, conditioned medium or exosomes?", False),
        ("Which cytokines or growth factors do MSCs secrete?", False),
        ("What is the MSC secretome?", False),
        ("How are extracellular vesicles isolated?", False),
        ("List growth factors found in the MSC secretome.", False),
    ],
)
def test_question_kind(question: str, expected: bool):
    assert is_yes_no_question(question) is expected
    assert (yes_no_probability(question) >= 0.5) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which tetraspanin is used as an exosome marker?", "factoid"),
        ("What is the main source of amniotic fluid stem cells?", "factoid"),
        ("Which growth factors do MSCs secrete?", "list"),
        ("List the cytokines found in the MSC secretome.", "list"),
        ("What is the mechanism of action of MSC exosomes in wound healing?", "summary"),
        ("Describe the regulatory hurdles for secretome-based products.", "summary"),
    ],
)
def test_answer_form(question: str, expected: str):
    assert answer_form(question) == expected
    scores = answer_form_scores(question)
    assert set(scores) == {"factoid", "list", "summary"} and abs(sum(scores.values()) - 1) < 1e-9
