"""Retrieval on the BioASQ dev set: BM25-only, dense-only and hybrid side by side, as FORMAT.md scores them.

Runs the real `Searcher` over the index in `settings.data_dir` (build it with `secretome-qa index`) on
every answerable question with gold PMIDs, top 10 distinct records. Targets from issue 5 for the hybrid
mode: recall@10 >= 0.87 and MRR@10 >= 0.89 (plain RRF measured 0.845 / 0.863).

    python -m eval.bench.retrieval_dev [--limit N]
"""

import argparse
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core.settings import Settings
from eval.questionset import load_questions
from eval.retrieval_metrics import retrieval_scores

DEV_SET = Path("../shared/eval/bioasq-dev.jsonl")
MODES = ("bm25", "dense", "hybrid")
TARGETS = {"hybrid_recall_at_10": 0.87, "hybrid_mrr_at_10": 0.89}
K = 10


def measure(
    settings: Settings, questions_path: Path = DEV_SET, limit: int | None = None, progress: bool = True
) -> dict[str, Any]:
    """Mean hit/recall/MRR/nDCG@10 of each mode over the answerable dev questions that have gold PMIDs."""
    from rag.retrieve.searcher import Searcher

    questions = [q for q in load_questions(questions_path, limit=limit).questions if q.answerable and q.gold_pmids]
    searcher = Searcher.from_settings(settings)
    totals = {mode: {} for mode in MODES}
    try:
        for question in tqdm(questions, desc="retrieval dev", unit="q", disable=not progress):
            gold = set(question.gold_pmids)
            for mode in MODES:
                ranked = [e.pmid for e in searcher.search(question.question, k=K, mode=mode)]
                for name, value in retrieval_scores(ranked, gold, K).items():
                    totals[mode][name] = totals[mode].get(name, 0.0) + value
    finally:
        searcher.close()
    figures: dict[str, Any] = {"questions": len(questions), "questions_file": str(questions_path)}
    for mode in MODES:
        for name, total in totals[mode].items():
            figures[f"{mode}_{name}"] = total / len(questions) if questions else 0.0
    figures["fusion"] = settings.retrieval.fusion
    figures["dense_weight"] = settings.retrieval.dense_weight
    figures["bm25_weight"] = settings.retrieval.bm25_weight
    figures["targets"] = TARGETS
    figures["targets_met"] = all(figures.get(name, 0.0) >= floor for name, floor in TARGETS.items())
    return figures


def lines(figures: dict[str, Any]) -> list[str]:
    out = []
    for mode in MODES:
        scores = " ".join(
            f"{metric}@10 {figures[f'{mode}_{metric}_at_10']:.3f}" for metric in ("hit", "recall", "mrr", "ndcg")
        )
        out.append(f"dev retrieval {mode:>6}: {scores} ({figures['questions']} questions)")
    met = "met" if figures["targets_met"] else "NOT met"
    out.append(f"dev retrieval targets (hybrid recall@10 >= 0.87, MRR@10 >= 0.89): {met}")
    return out


if __name__ == "__main__":
    from eval.bench import run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Only the first N questions.")
    args = parser.parse_args()
    run("retrieval_dev", limit=args.limit)
