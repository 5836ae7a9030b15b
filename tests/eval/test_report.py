"""Report assembly, comparison and the HTML page, on small visibly synthetic results."""

import base64
import json
import re

import pytest

from core.errors import InputError
from eval.answer_metrics import score_answer
from eval.questionset import Question
from eval.report import (
    REPORT_KEYS,
    QuestionResult,
    RetrievedRecord,
    build_report,
    compare_reports,
    load_report,
    write_report,
)
from eval.report_html import render_html, worst_questions
from eval.retrieval_metrics import retrieval_scores


def result(qid: str, category: str, ranked: list[str], gold: list[str], answer: str, latency: float,
           answerable: bool = True, refused: bool = False) -> QuestionResult:
    question = Question(
        id=qid, question=f"Synthetic question {qid}?", category=category, answerable=answerable,
        gold_pmids=gold, key_facts=[["synthetic fact"]] if answerable else [],
        ideal_answer="Synthetic fact stated." if answerable else None,
    )
    records = [RetrievedRecord(p, f"Synthetic record {p}", 2020, 1.0 / (i + 1)) for i, p in enumerate(ranked)]
    modes = {"hybrid": records, "bm25": list(reversed(records))}
    scores = score_answer(
        answer=answer, citation_pmids=[], evidence_pmids=ranked, verdict=None, refused=refused,
        answerable=answerable, gold_pmids=gold, key_facts=question.key_facts,
        ideal_answer=question.ideal_answer, exact_answer=None,
    )
    return QuestionResult(
        question=question,
        retrieved=modes,
        retrieval_scores={m: retrieval_scores([r.pmid for r in rs], set(gold)) for m, rs in modes.items()}
        if gold
        else {},
        answer=answer, citations=[], evidence_pmids=ranked, verdict=None, refused=refused, warnings=[],
        answer_category=category, latency_ms=latency, scores=scores,
    )


@pytest.fixture
def results() -> list[QuestionResult]:
    return [
        result("s1", "mechanisms", ["1", "2", "3"], ["1"], "Synthetic fact stated [PMID:1].", 10.0),
        result("s2", "mechanisms", ["4", "5", "6"], ["6"], "Unrelated synthetic claim [PMID:4].", 30.0),
        result("s3", "trials", ["7", "8"], [], "Not enough evidence [PMID:7].", 20.0, answerable=False, refused=True),
    ]


def report_of(results, **run):
    return build_report(
        results,
        questions={"file": "synthetic.jsonl", "name": "synthetic", "count": len(results)},
        modes=["hybrid", "bm25"],
        settings={"answer": {"llm": {"api_key": "**********"}}},
        corpus_records=42,
        run={"started_at": "2026-01-01T00:00:00+00:00", "backend": "extractive"} | run,
    )


def test_report_has_the_required_keys_and_scores(results):
    report = report_of(results)
    assert set(REPORT_KEYS) <= set(report)
    assert report["retrieval"]["n"] == 2
    assert report["retrieval"]["hit_at_10"] == 1.0
    assert report["retrieval"]["mrr_at_10"] == pytest.approx((1 + 1 / 3) / 2)
    assert report["retrievers"]["bm25"]["overall"]["mrr_at_10"] == pytest.approx((1 / 3 + 1) / 2)
    assert report["answers"]["key_fact_recall"] == 0.5
    assert report["answers"]["refusal_accuracy"] == 1.0
    assert report["answers"]["citation_validity"] == 1.0
    assert report["answers"]["citation_gold_precision"] == 0.5
    assert report["latency_ms"]["p50"] == 20.0
    assert report["by_category"]["trials"]["retrieval"]["n"] == 0
    assert report["by_category"]["mechanisms"]["questions"] == 2
    assert report["corpus"]["records"] == 42
    row = report["per_question"][1]
    assert row["retrieved_pmids"] == ["4", "5", "6"]
    assert row["scores"]["retrieval"]["mrr_at_10"] == pytest.approx(1 / 3)
    assert row["scores"]["answer"]["key_fact_recall"] == 0.0
    json.dumps(report)


def test_report_round_trips_and_a_foreign_file_is_refused(results, tmp_path):
    report = report_of(results)
    write_report(report, tmp_path / "r.json")
    assert load_report(tmp_path / "r.json") == json.loads(json.dumps(report))
    (tmp_path / "other.json").write_text('{"retrieval": {}}')
    with pytest.raises(InputError, match="not an evaluation report"):
        load_report(tmp_path / "other.json")
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(InputError, match="not valid JSON"):
        load_report(tmp_path / "broken.json")


def test_compare_reports_gives_signed_changes_and_which_way_is_better(results):
    before = report_of(results[:1] + results[2:])
    after = report_of(results)
    comparison = compare_reports(after, before)
    assert comparison["retrieval"]["mrr_at_10"]["delta"] == pytest.approx((1 + 1 / 3) / 2 - 1, abs=1e-6)
    assert comparison["retrieval"]["mrr_at_10"]["better"] is False
    assert comparison["latency_ms"]["p50"]["delta"] == pytest.approx(5.0)
    assert comparison["latency_ms"]["p50"]["better"] is False
    assert comparison["by_category"]["mechanisms"]["answers"]["key_fact_recall"]["delta"] == pytest.approx(-0.5)


def test_worst_questions_come_first_with_gold_marked(results):
    worst = worst_questions(report_of(results), count=2)
    assert [row["id"] for row in worst] == ["s2", "s1"]
    assert [hit["gold"] for hit in worst[0]["retrieved_shown"]] == [False, False, True]


def _pngs(page: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r'src="data:image/png;base64,([^"]+)"', page)]


def test_html_embeds_plots_and_escapes_text(results):
    results[0].answer = "Synthetic <script>alert(1)</script> answer [PMID:1]."
    report = report_of(results)
    page = render_html(report)
    images = _pngs(page)
    assert len(images) == 3  # categories, latency, retrievers compared
    assert all(image.startswith(b"\x89PNG\r\n\x1a\n") for image in images)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Worst questions" in page and "Synthetic question s2?" in page
    assert "Change against the previous report" not in page


def test_html_with_compare_adds_the_change_table_and_plot(results):
    page = render_html(report_of(results), previous=report_of(results[:1]))
    assert "Change against the previous report" in page
    assert len(_pngs(page)) == 4


def test_compare_reports_lists_the_questions_whose_answers_changed(results):
    before = report_of(results)
    results[1].answer = "A different synthetic claim [PMID:5]."
    results[1].citations = ["5"]
    results[2].refused = False
    after = report_of(results[1:])
    changed = compare_reports(after, before)["changed_answers"]
    assert [item["id"] for item in changed] == ["s2", "s3"]
    assert changed[0]["citations"] == {"previous": [], "current": ["5"]}
    assert changed[1]["refused"] == {"previous": True, "current": False}
    assert compare_reports(before, before)["changed_answers"] == []


def test_the_html_report_lists_the_changed_answers(results):
    before = report_of(results)
    results[1].answer = "A different synthetic claim [PMID:5]."
    results[1].citations = ["5"]
    page = render_html(report_of(results), previous=before)
    assert "Answers changed: 1" in page
    assert re.search(r"<td>s2</td><td>Synthetic question s2\?</td><td>False → False</td>\s*<td>–</td><td>5</td>", page)
