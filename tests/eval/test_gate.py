"""The CI evaluation gate: the curated set and 200 BioASQ dev questions through the real pipeline.

Every citation must point into its own answer's evidence, and retrieval and answer scores must not fall
below the floors below. Floors sit a little under what was measured, so noise does not fail CI but a
real regression does; when the pipeline improves, raise them and write down the new measurement.
The reports of the run are written to test-artifacts/ for a person to read when the gate fails.
"""

from pathlib import Path

import pytest

from core.settings import Settings
from eval.questionset import CURATED_SET, QuestionSet, load_questions
from eval.report import write_report
from eval.report_html import write_html
from eval.runner import run_evaluation
from ingest.store import DocumentStore
from tests.conftest import REPO, SHARED

pytestmark = pytest.mark.slow

DEV_QUESTIONS = 200
ARTIFACTS = REPO / "test-artifacts"

# Measured 2026-12-01 (comments updated 2026-12-02, with titles standing in for partial abstracts, and
# 2026-12-03 at 53dad8b and bf4651d, fresh-clone CI: the top record's title, cut tail and third sentence;
# later that day with the sentence selector as gradient-boosted trees, by this test) with the trained models (rag/models: relevance cross-encoder reading 12 sentences,
# verdict model, answer-form classifier, sentence selector; refusal on the first-pass signal,
# rag/answer/calibration.json min_relevance 0.4586; the answer floors re-measured with the sentence selector
# by this test over a kept data dir, SECRETOME_TEST_DATA_DIR) on the 10,000-record
# test corpus (tests/conftest.py: the gate's gold records, every on-topic record, seeded distractors;
# embedded Chroma, extractive backend), by this test's own reports
# (test-artifacts/gate-*.json). Each floor sits a little under the measured figure in its comment; the
# yes/no floors leave room for a flip or two, since the curated set has 8 yes/no questions and the dev
# subset 48. The dev subset is the first 200 questions of the file: all in the held-out `test` split.
# The same code on the whole 30,106-record snapshot: README, "Measured figures".
CURATED_FLOORS: dict[str, float] = {
    "hit_at_10": 0.92,  # 0.980 (0.961 before the abbreviations)
    "recall_at_10": 0.91,  # 0.967
    "mrr_at_10": 0.89,  # 0.918
    "ndcg_at_10": 0.89,  # 0.925
    "key_fact_recall": 0.82,  # 0.869 with category preferences off (eighth session); 0.850 with the top record read whole and giving four sentences (2026-12-04, seventh session); 0.786 with one-text-at-a-time vectors (2026-12-04); 0.788 with facet coverage (2026-12-04: sec-027's record names ulcerative colitis only as "UC"); 0.817 with the trees (0.820 with the logistic selector; 0.740 before the top record's third sentence; 0.559 before its title and cut tail)
    "yesno_accuracy": 0.60,  # 0.750
    "citation_gold_precision": 0.78,  # 0.823 dropping the sentences of records that do not cover the question (ninth session; 0.729 before it on the 30k snapshot); 0.731 with one-text-at-a-time vectors (2026-12-04); 0.758 with record admission and plain titles (2026-12-04); 0.746 with facet coverage; 0.766 with the trees (0.490 with the logistic selector; 0.464; 0.435)
    "refusal_accuracy": 0.88,  # 0.967 with facet coverage; 0.934 (0.918; 0.885; 0.934 before the abbreviations and the product rule)
    "rouge_l": 0.17,  # 0.183 with the top record read whole; 0.187 with one-text-at-a-time vectors; 0.192 with the trees (0.161; 0.179 before the top record's third sentence; 0.167)
    "citation_support": 0.95,  # 1.0
}
DEV_FLOORS: dict[str, float] = {
    "hit_at_10": 0.93,  # 0.960
    "recall_at_10": 0.88,  # 0.915
    "mrr_at_10": 0.89,  # 0.926
    "ndcg_at_10": 0.86,  # 0.897
    "key_fact_recall": 0.62,  # 0.653 with the top record read whole (seventh session); 0.650 with one-text-at-a-time vectors (2026-12-04); 0.648 with the trees, which cite fewer records (0.692 with the logistic selector; 0.655 before the top record's third sentence; 0.622 before its title and tail)
    "yesno_accuracy": 0.60,  # 0.688 with "or" a choice only when compared (seventh session); 0.667 (0.708 reading the pooled best sentences with margin 0.05; README)
    "citation_gold_precision": 0.85,  # 0.873 with one-text-at-a-time vectors; 0.886 with the trees (0.785 with the logistic selector; 0.771)
    "refusal_accuracy": 0.90,  # 0.940 (0.935)
    "rouge_l": 0.28,  # 0.297 with one-text-at-a-time vectors; 0.305 with the trees (0.259; 0.244)
    "citation_support": 0.95,  # 1.0
}
# Lower is better here: measured 0.000 on both sets.
UNCITED_SENTENCE_CEILING = 0.05


def _open_pipeline(settings: Settings):
    from rag.pipeline import build_pipeline

    pipeline = build_pipeline(settings)
    return pipeline.searcher, pipeline.answerer


def _evaluate(settings: Settings, question_set: QuestionSet, name: str) -> dict:
    searcher, answerer = _open_pipeline(settings)
    with DocumentStore(settings.store_path) as store:
        records = store.count()
    report = run_evaluation(
        question_set, searcher, answerer, settings=settings, corpus_records=records, progress=False
    )
    ARTIFACTS.mkdir(exist_ok=True)
    write_report(report, ARTIFACTS / f"gate-{name}.json")
    write_html(report, ARTIFACTS / f"gate-{name}.html")
    return report


@pytest.fixture(scope="module")
def curated_report(corpus_settings: Settings) -> dict:
    return _evaluate(corpus_settings, load_questions(CURATED_SET), "curated")


@pytest.fixture(scope="module")
def dev_report(corpus_settings: Settings) -> dict:
    dev = load_questions(SHARED / "eval" / "bioasq-dev.jsonl", limit=DEV_QUESTIONS)
    return _evaluate(corpus_settings, dev, "bioasq-dev-200")


def _score(report: dict, name: str) -> float:
    value = report["retrieval"].get(name, report["answers"].get(name))
    assert value is not None, f"{name} was not computed"
    return value


def _below(report: dict, floors: dict[str, float]) -> dict[str, tuple[float, float]]:
    return {
        name: (round(_score(report, name), 4), floor)
        for name, floor in floors.items()
        if _score(report, name) < floor
    }


def test_every_citation_on_the_curated_set_is_in_its_own_evidence(curated_report):
    assert curated_report["answers"]["cited_pmids"] > 0
    assert curated_report["answers"]["citation_validity"] == 1.0


def test_every_citation_on_the_dev_questions_is_in_its_own_evidence(dev_report):
    assert dev_report["answers"]["cited_pmids"] > 0
    assert dev_report["answers"]["citation_validity"] == 1.0


def test_curated_scores_stay_above_their_floors(curated_report):
    below = _below(curated_report, CURATED_FLOORS)
    assert not below, f"below floor (measured, floor): {below}"
    assert _score(curated_report, "uncited_sentence_rate") <= UNCITED_SENTENCE_CEILING


def test_dev_scores_stay_above_their_floors(dev_report):
    below = _below(dev_report, DEV_FLOORS)
    assert not below, f"below floor (measured, floor): {below}"
    assert _score(dev_report, "uncited_sentence_rate") <= UNCITED_SENTENCE_CEILING


def test_reports_were_written_for_reading(curated_report, dev_report):
    for name in ("curated", "bioasq-dev-200"):
        assert Path(ARTIFACTS / f"gate-{name}.json").stat().st_size > 0
        assert "<img" in Path(ARTIFACTS / f"gate-{name}.html").read_text()
