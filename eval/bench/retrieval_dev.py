"""Retrieval on the BioASQ dev set: BM25-only, dense-only, hybrid and hybrid re-ranked by the trained
cross-encoder side by side, as FORMAT.md scores them.

Runs the real pipeline's searcher over the index in `settings.data_dir` (build it with `secretome-qa
index`) on every answerable question with gold PMIDs, top 10 distinct records. The cross-encoder was
trained on the dev questions of the `train` split (eval.splits), so every figure is printed twice: over
all questions and over the held-out `test` split only; only the latter says anything about re-ranking.
Targets from issue 5 for the hybrid mode: recall@10 >= 0.87 and MRR@10 >= 0.89.

    python -m eval.bench.retrieval_dev [--limit N]
"""

import argparse
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core.settings import Settings
from eval.questionset import load_questions
from eval.retrieval_metrics import retrieval_scores
from eval.splits import splits_for

DEV_SET = Path("../shared/eval/bioasq-dev.jsonl")
MODES = ("bm25", "dense", "hybrid", "reranked")
SCOPES = ("all", "test")
TARGETS = {"hybrid_recall_at_10": 0.87, "hybrid_mrr_at_10": 0.89}
K = 10


def measure(
    settings: Settings, questions_path: Path = DEV_SET, limit: int | None = None, progress: bool = True
) -> dict[str, Any]:
    """Mean hit/recall/MRR/nDCG@10 of each mode over the answerable dev questions that have gold PMIDs."""
    from rag.pipeline import build_pipeline

    every = load_questions(questions_path).questions
    split = splits_for([q.id for q in every])
    questions = [q for q in every[:limit] if q.answerable and q.gold_pmids]
    searcher = build_pipeline(settings).searcher
    reranker, searcher.reranker = searcher.reranker, None
    totals: dict[str, dict[str, dict[str, float]]] = {scope: {mode: {} for mode in MODES} for scope in SCOPES}
    counts = dict.fromkeys(SCOPES, 0)
    try:
        for question in tqdm(questions, desc="retrieval dev", unit="q", disable=not progress):
            gold = set(question.gold_pmids)
            scopes = ["all", "test"] if split[question.id] == "test" else ["all"]
            for scope in scopes:
                counts[scope] += 1
            for mode in MODES:
                searcher.reranker = reranker if mode == "reranked" else None
                ranked = [e.pmid for e in searcher.search(question.question, k=K, mode="hybrid" if mode == "reranked" else mode)]
                for name, value in retrieval_scores(ranked, gold, K).items():
                    for scope in scopes:
                        totals[scope][mode][name] = totals[scope][mode].get(name, 0.0) + value
    finally:
        searcher.close()
    figures: dict[str, Any] = {"questions": counts["all"], "test_questions": counts["test"]}
    figures["questions_file"] = str(questions_path)
    for scope in SCOPES:
        prefix = "" if scope == "all" else "test_"
        for mode in MODES:
            for name, total in totals[scope][mode].items():
                figures[f"{prefix}{mode}_{name}"] = total / counts[scope] if counts[scope] else 0.0
    figures["fusion"] = settings.retrieval.fusion
    figures["dense_weight"] = settings.retrieval.dense_weight
    figures["bm25_weight"] = settings.retrieval.bm25_weight
    figures["targets"] = TARGETS
    figures["targets_met"] = all(figures.get(name, 0.0) >= floor for name, floor in TARGETS.items())
    return figures


def lines(figures: dict[str, Any]) -> list[str]:
    out = []
    for prefix, n in (("", figures["questions"]), ("test_", figures["test_questions"])):
        for mode in MODES:
            scores = " ".join(
                f"{metric}@10 {figures[f'{prefix}{mode}_{metric}_at_10']:.3f}"
                for metric in ("hit", "recall", "mrr", "ndcg")
            )
            scope = "held-out test split" if prefix else "all"
            out.append(f"dev retrieval {mode:>8}: {scores} ({n} questions, {scope})")
    met = "met" if figures["targets_met"] else "NOT met"
    out.append(f"dev retrieval targets (hybrid recall@10 >= 0.87, MRR@10 >= 0.89): {met}")
    return out


if __name__ == "__main__":
    from eval.bench import run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Only the first N questions.")
    args = parser.parse_args()
    run("retrieval_dev", limit=args.limit)
