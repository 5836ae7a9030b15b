"""Answer scores against hand-computed values on small, visibly synthetic answers."""

import pytest

from eval.answer_metrics import (
    aggregate_answers,
    cited_pmids,
    key_fact_recall,
    percentiles,
    refusal_correct,
    rouge_l,
    score_answer,
    sentence_citation_counts,
    yesno_correct,
)


def test_key_fact_recall_counts_a_fact_when_any_phrasing_occurs_case_insensitively():
    answer = "Synthetic answer: HYPOXIC preconditioning raised vegf [PMID:1]."
    assert key_fact_recall(answer, [["hypoxia", "hypoxic"], ["VEGF"], ["miR-21"]]) == pytest.approx(2 / 3)
    assert key_fact_recall(answer, []) is None


def test_yesno_and_refusal():
    assert yesno_correct("yes", "yes") == 1.0
    assert yesno_correct("undetermined", "no") == 0.0
    assert yesno_correct(None, "no") == 0.0
    assert yesno_correct("yes", None) is None
    assert refusal_correct(refused=True, answerable=False) == 1.0
    assert refusal_correct(refused=False, answerable=False) == 0.0
    assert refusal_correct(refused=True, answerable=True) == 0.0


def test_rouge_l_is_lcs_f1_without_citation_markers():
    # candidate tokens: the cat sat on mat (5); reference: the cat is on the mat (6); LCS "the cat on mat" = 4
    precision, recall = 4 / 5, 4 / 6
    expected = 2 * precision * recall / (precision + recall)
    assert rouge_l("The cat sat on mat [PMID:12].", "the cat is on the mat") == pytest.approx(expected)
    assert rouge_l("identical words here", "Identical words here!") == pytest.approx(1.0)
    assert rouge_l("nothing shared", "entirely different") == 0.0
    assert rouge_l("anything", None) is None
    assert rouge_l("[PMID:3]", "reference text") == 0.0


def test_cited_pmids_merge_text_markers_and_structured_citations():
    assert cited_pmids("Claim [PMID:5]. Other claim [PMID: 7, 5].", ["9", "5"]) == ["5", "7", "9"]


def test_sentence_citation_counts_attach_trailing_markers_to_the_sentence_before():
    text = "Synthetic claim one. [PMID:1] Synthetic claim two has none. Synthetic claim three [PMID:2]."
    assert sentence_citation_counts(text) == (3, 1)


def _score(**overrides):
    base = {
        "answer": "Synthetic finding A [PMID:1]. Synthetic finding B [PMID:2] [PMID:3]. An uncited remark.",
        "citation_pmids": ["1", "2", "3"],
        "evidence_pmids": ["1", "2", "4"],
        "verdict": None,
        "refused": False,
        "answerable": True,
        "gold_pmids": ["1", "4"],
        "key_facts": [["finding a"], ["finding c"]],
        "ideal_answer": "Synthetic finding A and finding B.",
        "exact_answer": None,
    }
    return score_answer(**(base | overrides))


def test_score_answer_counts_what_the_pooled_scores_need():
    scores = _score()
    assert (scores.cited, scores.cited_valid, scores.cited_gold) == (3, 2, 1)
    assert scores.citation_validity == pytest.approx(2 / 3)
    assert scores.citation_gold_precision == pytest.approx(1 / 3)
    assert (scores.sentences, scores.uncited_sentences) == (3, 1)
    assert scores.key_fact_recall == 0.5
    assert scores.refusal_accuracy == 1.0
    assert scores.yesno_accuracy is None


def test_a_refusal_is_checked_for_validity_but_claims_nothing():
    scores = _score(answer="The corpus does not hold enough evidence. Nearest records: X [PMID:4].",
                    citation_pmids=[], refused=True, answerable=False, key_facts=[], ideal_answer=None)
    assert scores.citation_validity == 1.0
    assert scores.citation_gold_precision is None
    assert scores.key_fact_recall is None
    assert (scores.sentences, scores.uncited_sentences) == (0, 0)
    assert scores.refusal_accuracy == 1.0


def test_aggregate_pools_citations_and_sentences_and_averages_rates():
    first = _score()
    second = _score(answer="Synthetic yes [PMID:1].", citation_pmids=["1"], verdict="yes", exact_answer="yes",
                    key_facts=[["synthetic yes"]], ideal_answer=None)
    refusal = _score(answer="No evidence [PMID:9].", citation_pmids=[], refused=True, answerable=False,
                     key_facts=[], ideal_answer=None, evidence_pmids=["8"])
    summary = aggregate_answers([first, second, refusal])
    assert summary["citation_validity"] == pytest.approx((2 + 1 + 0) / (3 + 1 + 1))
    assert summary["citation_gold_precision"] == pytest.approx((1 + 1) / (3 + 1))
    assert summary["uncited_sentence_rate"] == pytest.approx(1 / 4)
    assert summary["key_fact_recall"] == pytest.approx((0.5 + 1.0) / 2)
    assert summary["key_fact_recall_answered"] == pytest.approx((0.5 + 1.0) / 2)
    assert summary["yesno_accuracy"] == 1.0
    assert summary["refusal_accuracy"] == 1.0
    assert summary["rouge_l"] == pytest.approx(first.rouge_l)
    assert (summary["answers"], summary["refused"]) == (3, 1)


def test_a_key_fact_named_only_in_a_refusals_list_of_records_counts_for_the_format_score_not_for_answers():
    answered = _score(answer="Synthetic finding A [PMID:1].", citation_pmids=["1"], ideal_answer=None)
    refused = _score(answer="Not enough evidence. Nearest records: Synthetic finding C (n.d.) [PMID:4].",
                     citation_pmids=[], refused=True, ideal_answer=None)
    summary = aggregate_answers([answered, refused])
    assert refused.key_fact_recall == 0.5, "FORMAT.md: any phrasing in the answer text, a refusal's included"
    assert summary["key_fact_recall"] == pytest.approx((0.5 + 0.5) / 2)
    assert summary["key_fact_recall_answered"] == 0.5


def test_aggregate_of_nothing_is_none_not_zero():
    summary = aggregate_answers([])
    assert summary["citation_validity"] is None and summary["key_fact_recall"] is None


def test_percentiles_interpolate_linearly():
    result = percentiles([float(v) for v in range(1, 101)])
    assert result["p50"] == pytest.approx(50.5)
    assert result["p95"] == pytest.approx(95.0, abs=0.1)
    assert result["n"] == 100
    assert percentiles([])["p50"] is None
