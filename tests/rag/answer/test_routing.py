"""Question routing: categories from prototypes plus cues, yes/no detection, category preferences."""

import pytest

from rag.answer.routing import PREFERENCES, Router, combine_scores, cue_counts, is_yes_no, pick_category, prefer
from tests.rag.answer.answer_fixtures import embedder, synthetic_evidence  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def router(embedder) -> Router:  # noqa: F811
    return Router(embedder)


@pytest.mark.parametrize(
    ("question", "category"),
    [
        ("Through which signalling pathway do MSC exosomes dampen macrophage inflammation?", "mechanisms"),
        ("Which tissues are used to obtain stromal cells for producing conditioned medium?", "sources"),
        ("Which phase II clinical trials have given MSC vesicles to patients with ARDS?", "trials"),
        (
            "What GMP release criteria and potency assays are required before EV products reach the clinic?",
            "regulatory",
        ),
        ("Which was the first species in which de novo gene birth was reported?", "other"),
        ("What is the capital of France?", "other"),
    ],
)
def test_routes_clear_questions(router: Router, question: str, category: str) -> None:
    assert router.route(question).category == category


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is hypoxic preconditioning beneficial for exosome yield?", True),
        ("Does the secretome reduce fibrosis?", True),
        ("Can conditioned medium replace cell therapy?", True),
        ("Are adipose or bone marrow MSCs the better source?", False),
        ("Is synthetic secretome more potent than or equal to cell therapy?", False),
        ("Do synthetic MSC vesicles or conditioned medium reduce fibrosis?", True),
        ("Does screening or surveillance of synthetic patients improve prognosis?", True),
        ("Which growth factors does the secretome contain?", False),
        ("How is the secretome standardized?", False),
        ("Synthetic secretome is a cell-free therapy, yes or no?", True),
    ],
)
def test_yes_no_detection(question: str, expected: bool) -> None:
    assert is_yes_no(question) is expected


def test_cues_add_to_prototype_similarity() -> None:
    cues = cue_counts("Which phase 2 trial registered as NCT04366063 enrolled patients?")
    assert cues["trials"] >= 3
    scores = combine_scores({"mechanisms": 0.3, "sources": 0.3, "trials": 0.3, "regulatory": 0.3}, cues)
    assert pick_category(scores) == "trials"
    assert pick_category({"mechanisms": 0.1, "sources": 0.2, "trials": 0.1, "regulatory": 0.1}) == "other"


def test_trial_questions_prefer_trials_without_dropping_other_records() -> None:
    review = synthetic_evidence("1", "Synthetic review sentence.", score=0.030)
    trial = synthetic_evidence("2", "Synthetic trial sentence.", score=0.025, trial_ids=["NCT00000001"])
    animal = synthetic_evidence("3", "Synthetic animal sentence.", score=0.010)
    kinds = {"1": "review", "2": "clinical trial", "3": "animal study"}
    ranked = prefer([review, trial, animal], PREFERENCES["trials"], kinds)
    assert [e.pmid for e in ranked] == ["2", "1", "3"]
    assert [e.pmid for e in prefer([review, trial, animal], PREFERENCES["other"], kinds)] == ["1", "2", "3"]


def test_regulatory_questions_prefer_reviews() -> None:
    primary = synthetic_evidence("1", "Synthetic primary sentence.", score=0.030)
    review = synthetic_evidence("2", "Synthetic review sentence.", score=0.025)
    ranked = prefer([primary, review], PREFERENCES["regulatory"], {"1": "animal study", "2": "review"})
    assert [e.pmid for e in ranked] == ["2", "1"]


@pytest.mark.parametrize(
    "question",
    [
        "Hypoxic preconditioning: does it raise VEGF in the MSC secretome?",
        "Conditioned medium for wound healing: are the effects dose dependent?",
        "MSC exosomes in sepsis: a safe alternative to cell therapy?",
        "And do they contain microRNAs?",
        "When synthetic MSCs are primed with IFN-gamma, do their vesicles suppress T cells more strongly?",
        "If synthetic EVs are freeze-dried, or stored for a month, do they keep their potency?",
        "In children given a synthetic graft, does recovery of B cells slow down?",
    ],
)
def test_yes_no_questions_are_recognised_as_people_write_them(question: str) -> None:
    assert is_yes_no(question)


@pytest.mark.parametrize(
    "question",
    [
        "When in the cell cycle, does a synthetic vesicle get released?",
        "Where, in the body, would the synthetic graft be placed?",
        "When, after synthetic priming, do MSCs release the most vesicles?",
        "In patients given synthetic secretome, what dose was used?",
        "When synthetic MSCs are primed, are adipose or marrow cells the better source?",
    ],
)
def test_a_lead_clause_that_asks_something_itself_stays_a_wh_question(question: str) -> None:
    assert not is_yes_no(question)
