"""Category preferences re-order the retrieved records only when they are turned on; off (the default) the answer
reads the records in retrieval order."""

import pytest

from tests.rag.answer.answer_fixtures import answerer_with, build_index, embedder, synthetic_evidence  # noqa: F401

QUESTION = "Which clinical trials gave made-up MSC secretome to invented patients with synthetic knee damage?"
REVIEW = synthetic_evidence(
    "90000701",
    "Made-up MSC secretome for invented patients with synthetic knee damage: clinical trials are reviewed here.",
    title="Synthetic record 90000701: a review of made-up MSC secretome clinical trials in invented knee damage",
    pub_types=["Review"],
)
TRIAL = synthetic_evidence(
    "90000702",
    "In this invented randomized trial, imaginary patients with knee damage received a synthetic MSC secretome.",
    title="Synthetic record 90000702: an invented randomized controlled trial",
    pub_types=["Randomized Controlled Trial"],
)


@pytest.fixture(scope="module")
def index(tmp_path_factory, embedder):  # noqa: F811
    return build_index(tmp_path_factory.mktemp("preferences") / "data", [REVIEW, TRIAL], embedder)


@pytest.mark.parametrize("category_preferences", [True, False])
def test_a_trials_question_reads_the_trial_first_only_with_preferences_on(
    index, tmp_path, embedder, category_preferences  # noqa: F811
):
    answerer = answerer_with(index, embedder, tmp_path, category_preferences=category_preferences)
    retrieved = [e.pmid for e in index.search(QUESTION, k=5)]
    assert retrieved[:2] == ["90000701", "90000702"], "the review matches the question better"
    prepared = answerer.prepare(QUESTION)
    assert prepared.route.category == "trials"
    order = [e.pmid for e in prepared.evidence]
    assert order[:2] == (["90000702", "90000701"] if category_preferences else retrieved[:2])


def test_preferences_are_off_by_default(tmp_path):
    from core.settings import Settings

    assert Settings(_env_file=None, data_dir=tmp_path).answer.category_preferences is False
