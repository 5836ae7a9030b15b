"""Answer scores exactly as `../shared/eval/FORMAT.md` defines them, on plain data.

Per question, `score_answer` returns the rates and also the counts behind the pooled scores
(`citation_validity`, `citation_gold_precision`, `uncited_sentence_rate` are shares of all citations or
sentences in a run, not means of per-answer shares), so `aggregate_answers` can sum them for any subset.
A refusal still lists its nearest records as `[PMID:n]`: those count for `citation_validity` (nothing
outside the evidence may be named) but not for `citation_gold_precision`, since a refusal claims nothing.

ROUGE-L is written here (longest common subsequence over lower-cased word tokens, F1 with beta = 1, as in
Lin 2004 and Google's `rouge-score` without stemming) rather than adding a dependency for twenty lines.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise

import numpy as np

from rag.answer.citations import CITATION, cited_sentences, parse_citations

_TOKEN = re.compile(r"[a-z0-9]+")


def key_fact_recall(answer: str, key_facts: Sequence[Sequence[str]]) -> float | None:
    """Share of facts with at least one phrasing in the answer (case-insensitive); None without facts."""
    if not key_facts:
        return None
    text = answer.lower()
    covered = sum(any(phrase.lower() in text for phrase in fact) for fact in key_facts)
    return covered / len(key_facts)


def yesno_correct(verdict: str | None, exact_answer: str | None) -> float | None:
    """1.0 when the verdict matches a yes/no gold answer, 0.0 when not; None for other questions."""
    if exact_answer not in ("yes", "no"):
        return None
    return float((verdict or "").lower() == exact_answer)


def refusal_correct(refused: bool, answerable: bool) -> float:
    """Refusing is right exactly when the corpus does not hold the answer."""
    return float(refused == (not answerable))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: str, reference: str | None) -> float | None:
    """ROUGE-L F1 of an answer (citation markers removed) against a reference; None without one."""
    if not reference or not reference.strip():
        return None
    cand = tokens(CITATION.sub(" ", candidate))
    ref = tokens(reference)
    if not cand or not ref:
        return 0.0
    lcs = _lcs_length(cand, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(cand), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def cited_pmids(answer: str, citation_pmids: Iterable[str] = ()) -> list[str]:
    """Every PMID the answer cites: markers in its text and its structured citations, first-seen order."""
    return list(dict.fromkeys([*parse_citations(answer), *citation_pmids]))


def sentence_citation_counts(answer: str) -> tuple[int, int]:
    """(sentences, sentences without any citation) of an answer text."""
    sentences = cited_sentences(answer)
    return len(sentences), sum(not s.pmids for s in sentences)


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """p50, p95 and mean of latencies in ms (linear interpolation); None for an empty run."""
    if not values:
        return {"p50": None, "p95": None, "mean": None, "n": 0}
    array = np.asarray(values, dtype=float)
    return {
        "p50": round(float(np.percentile(array, 50)), 1),
        "p95": round(float(np.percentile(array, 95)), 1),
        "mean": round(float(array.mean()), 1),
        "n": len(values),
    }


@dataclass(frozen=True)
class AnswerScores:
    """One answer's scores (None where a score does not apply) and the counts pooled across answers."""

    key_fact_recall: float | None
    yesno_accuracy: float | None
    refusal_accuracy: float
    rouge_l: float | None
    citation_validity: float | None
    citation_gold_precision: float | None
    uncited_sentence_rate: float | None
    cited: int
    cited_valid: int
    cited_gold: int
    sentences: int
    uncited_sentences: int
    answerable: bool
    refused: bool
    citation_support: float | None = None
    verdict: str | None = None
    exact_answer: str | None = None
    verdict_probability: float | None = None
    evidence_confidence: float | None = None

    def as_dict(self) -> dict[str, float | int | bool | None]:
        return asdict(self)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def score_answer(
    *,
    answer: str,
    citation_pmids: Iterable[str],
    evidence_pmids: Iterable[str],
    verdict: str | None,
    refused: bool,
    answerable: bool,
    gold_pmids: Iterable[str],
    key_facts: Sequence[Sequence[str]],
    ideal_answer: str | None,
    exact_answer: str | None,
    citation_support: float | None = None,
    verdict_probability: float | None = None,
    evidence_confidence: float | None = None,
) -> AnswerScores:
    """Score one answer against its question; pure, so any answer source can be scored."""
    cited = cited_pmids(answer, citation_pmids)
    evidence, gold = set(evidence_pmids), set(gold_pmids)
    valid = sum(p in evidence for p in cited)
    claims = answerable and not refused
    on_gold = sum(p in gold for p in cited) if claims else 0
    sentences, uncited = sentence_citation_counts(answer) if not refused else (0, 0)
    return AnswerScores(
        key_fact_recall=key_fact_recall(answer, key_facts) if answerable else None,
        yesno_accuracy=yesno_correct(verdict, exact_answer),
        refusal_accuracy=refusal_correct(refused, answerable),
        rouge_l=rouge_l(answer, ideal_answer),
        citation_validity=_share(valid, len(cited)),
        citation_gold_precision=_share(on_gold, len(cited)) if claims else None,
        uncited_sentence_rate=_share(uncited, sentences),
        cited=len(cited),
        cited_valid=valid,
        cited_gold=on_gold,
        sentences=sentences,
        uncited_sentences=uncited,
        answerable=answerable,
        refused=refused,
        citation_support=citation_support if not refused else None,
        verdict=verdict,
        exact_answer=exact_answer if exact_answer in ("yes", "no") else None,
        verdict_probability=verdict_probability,
        evidence_confidence=evidence_confidence,
    )


def verdict_confusion(scores: Sequence[AnswerScores]) -> dict[str, dict[str, int]]:
    """gold yes/no -> predicted yes/no/undetermined -> count, over the yes/no questions."""
    table = {gold: {"yes": 0, "no": 0, "undetermined": 0} for gold in ("yes", "no")}
    for s in scores:
        if s.exact_answer in table:
            predicted = s.verdict if s.verdict in ("yes", "no") else "undetermined"
            table[s.exact_answer][predicted] += 1
    return table


def reliability(confidence: Sequence[float], correct: Sequence[bool], bins: int = 5) -> list[dict[str, float | int]]:
    """Predicted confidence against observed accuracy in equal-width bins over [0.5, 1] (empty bins left out)."""
    edges = np.linspace(0.5, 1.0, bins + 1)
    rows = []
    for low, high in pairwise(edges):
        inside = [
            (c, ok) for c, ok in zip(confidence, correct, strict=True) if low <= c < high or (high == 1.0 and c == 1.0)
        ]
        if inside:
            rows.append(
                {
                    "low": round(float(low), 2),
                    "high": round(float(high), 2),
                    "n": len(inside),
                    "confidence": round(sum(c for c, _ in inside) / len(inside), 4),
                    "accuracy": round(sum(ok for _, ok in inside) / len(inside), 4),
                }
            )
    return rows


def verdict_reliability(scores: Sequence[AnswerScores]) -> list[dict[str, float | int]]:
    """How often a verdict is right at each level of the verdict model's confidence max(p, 1 - p)."""
    rows = [s for s in scores if s.exact_answer and s.verdict_probability is not None]
    confidence = [max(s.verdict_probability, 1 - s.verdict_probability) for s in rows]
    correct = [(s.verdict_probability >= 0.5) == (s.exact_answer == "yes") for s in rows]
    return reliability(confidence, correct)


def refusal_reliability(scores: Sequence[AnswerScores]) -> list[dict[str, float | int]]:
    """How often the answer/refuse decision is right at each level of confidence in it.

    The signal is the best evidence sentence's probability p; answering claims p, refusing claims 1 - p."""
    rows = [s for s in scores if s.evidence_confidence is not None]
    confidence = [s.evidence_confidence if not s.refused else 1 - s.evidence_confidence for s in rows]
    confidence = [max(c, 1 - c) for c in confidence]
    correct = [s.refused != s.answerable for s in rows]
    return reliability(confidence, correct)


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


ANSWER_SCORES = (
    "key_fact_recall",
    "key_fact_recall_answered",
    "yesno_accuracy",
    "citation_validity",
    "citation_gold_precision",
    "uncited_sentence_rate",
    "refusal_accuracy",
    "rouge_l",
    "citation_support",
)


def aggregate_answers(scores: Sequence[AnswerScores]) -> dict[str, float | int | None]:
    """The run-level answer scores of FORMAT.md over `scores` (None where nothing qualifies)."""
    claims = [s for s in scores if s.answerable and not s.refused]
    return {
        "key_fact_recall": _mean(s.key_fact_recall for s in scores),
        # FORMAT.md reads a refusal's text too, and its list of nearest records can name a key fact: when a change
        # refuses more or fewer questions, this one (answers only) says what the answers themselves gained
        "key_fact_recall_answered": _mean(s.key_fact_recall for s in claims),
        "yesno_accuracy": _mean(s.yesno_accuracy for s in scores),
        "citation_validity": _share(sum(s.cited_valid for s in scores), sum(s.cited for s in scores)),
        "citation_gold_precision": _share(sum(s.cited_gold for s in claims), sum(s.cited for s in claims)),
        "uncited_sentence_rate": _share(
            sum(s.uncited_sentences for s in scores), sum(s.sentences for s in scores)
        ),
        "refusal_accuracy": _mean(s.refusal_accuracy for s in scores),
        "rouge_l": _mean(s.rouge_l for s in scores),
        "citation_support": _mean(s.citation_support for s in scores),
        "verdict_confusion": verdict_confusion(scores),
        "verdict_reliability": verdict_reliability(scores),
        "refusal_reliability": refusal_reliability(scores),
        "answers": len(scores),
        "refused": sum(s.refused for s in scores),
        "cited_pmids": sum(s.cited for s in scores),
    }
