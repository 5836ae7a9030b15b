"""The runner and `secretome-qa eval` end to end on a small synthetic index: real store, Chroma, BM25 and model."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from eval.questionset import QuestionSet
from eval.report import write_report
from eval.runner import COMPARED_MODES, evaluate_question, run_evaluation
from tests.eval.conftest import CLI_ENV, QUESTIONS, TOPICS, write_question_set


def test_evaluate_question_scores_the_real_pipeline(pipeline):
    searcher, answerer = pipeline
    result = evaluate_question(QUESTIONS[1], searcher, answerer, modes=COMPARED_MODES)
    assert set(result.retrieved) == set(COMPARED_MODES)
    assert all(len(ranking) <= 10 for ranking in result.retrieved.values())
    assert result.retrieved["hybrid"][0].pmid == "91000002"
    assert result.retrieval_scores["hybrid"]["mrr_at_10"] == 1.0
    assert result.latency_ms > 0
    assert set(result.citations) <= set(result.evidence_pmids)
    if not result.refused:
        assert result.scores.key_fact_recall == (1.0 if "mir-21" in result.answer.lower() else 0.0)


@pytest.fixture(scope="module")
def synthetic_report(pipeline, small_index) -> dict:
    searcher, answerer = pipeline
    question_set = QuestionSet(path=Path("synthetic.jsonl"), questions=QUESTIONS)
    return run_evaluation(question_set, searcher, answerer, settings=small_index, corpus_records=len(TOPICS),
                          compare_retrievers=True, progress=False)


def test_run_evaluation_reports_every_score_and_side_by_side_retrievers(synthetic_report, small_index):
    report = synthetic_report
    assert report["retrieval"]["n"] == 3 and report["retrieval"]["mode"] == "hybrid"
    assert report["retrieval"]["hit_at_10"] == 1.0
    assert set(report["retrievers"]) == set(COMPARED_MODES)
    assert report["answers"]["citation_validity"] == 1.0
    assert report["answers"]["refusal_accuracy"] == 1.0  # the off-topic question refused, the others answered
    assert report["answers"]["key_fact_recall"] > 0
    assert report["latency_ms"]["n"] == 4 and report["latency_ms"]["p95"] >= report["latency_ms"]["p50"]
    assert set(report["by_category"]) == {"sources", "mechanisms", "trials", "regulatory"}
    assert [row["id"] for row in report["per_question"]] == ["syn-1", "syn-2", "syn-3", "syn-4"]
    assert report["per_question"][3]["scores"]["retrieval"] is None
    assert report["corpus"]["records"] == len(TOPICS)
    assert report["run"]["modes"] == list(COMPARED_MODES)
    assert report["settings"]["data_dir"] == str(small_index.data_dir)


def test_cli_writes_json_and_html_and_compares_with_a_previous_report(small_index, synthetic_report, tmp_path):
    questions = write_question_set(tmp_path / "synthetic.jsonl")
    write_report(synthetic_report, tmp_path / "previous.json")
    result = CliRunner(env=CLI_ENV).invoke(app, [
        "--data-dir", str(small_index.data_dir), "eval", "--questions", str(questions), "--limit", "2",
        "--no-progress", "--compare-retrievers", "--out", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"),
        "--compare", str(tmp_path / "previous.json"),
    ])
    assert result.exit_code == 0, result.output
    assert "retrievers compared" in result.output and "against the previous report" in result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["questions"]["count"] == 2
    assert report["comparison"]["retrieval"]["hit_at_10"]["previous"] == 1.0
    assert report["comparison"]["changed_answers"] == [] and "0 of 2 answers changed" in result.output  # same code
    page = (tmp_path / "r.html").read_text()
    assert page.count("data:image/png;base64,") == 5  # categories, latency, reliability, change, retrievers
    assert "Change against the previous report" in page and "Answers changed: 0" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--questions", "missing.jsonl"], "does not exist"),
        (["--questions", "{set}", "--backend", "gpt"], "'gpt' is not one of"),
        (["--questions", "{set}", "--limit", "0"], "at least 1"),
        (["--questions", "{set}", "--compare", "missing.json"], "does not exist"),
    ],
)
def test_cli_bad_input_is_a_message_and_exit_code_2(small_index, tmp_path, args, message):
    questions = write_question_set(tmp_path / "synthetic.jsonl")
    args = [a.replace("{set}", str(questions)) for a in args]
    result = CliRunner(env=CLI_ENV).invoke(app, ["--data-dir", str(small_index.data_dir), "eval", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_split_keeps_only_that_split_and_refuses_unknown_ones(tmp_path):
    from eval.splits import splits_for

    path = write_question_set(tmp_path / "q.jsonl")
    assigned = splits_for([json.loads(line)["id"] for line in path.read_text().splitlines()])
    result = CliRunner().invoke(app, ["eval", "--questions", str(path), "--split", "nonsense"])
    assert result.exit_code == 2 and "unknown split" in result.output
    result = CliRunner().invoke(app, ["eval", "--questions", str(path), "--unseen-documents"])
    assert result.exit_code == 2 and "--unseen-documents needs --split" in result.output
    assert set(assigned.values()) <= {"train", "validation", "test"}
