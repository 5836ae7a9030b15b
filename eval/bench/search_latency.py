"""Hybrid search latency at the full corpus: p50/p95 of `Searcher.search` over distinct dev questions.

The searcher is opened and warmed up first (models loaded, index mapped, first queries run), so the
figures are what a running service spends per query: embedding the query, Chroma, BM25, fusion and the
evidence records. Target from issue 5: p95 under 50 ms with embedded Chroma on the 30k corpus.

    python -m eval.bench.search_latency [--n N]
"""

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from core.settings import Settings
from eval.questionset import load_questions

DEV_SET = Path("../shared/eval/bioasq-dev.jsonl")
QUERIES = 300
WARM_UP = 10
TARGET_P95_MS = 50.0


def measure(settings: Settings, questions_path: Path = DEV_SET, n: int = QUERIES) -> dict[str, Any]:
    from rag.retrieve.searcher import Searcher

    questions = [q.question for q in load_questions(questions_path, limit=n + WARM_UP).questions]
    searcher = Searcher.from_settings(settings)
    try:
        for query in questions[:WARM_UP]:
            searcher.search(query)
        latencies = []
        for query in questions[WARM_UP:]:
            started = time.perf_counter()
            searcher.search(query)
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        searcher.close()
    p50, p95 = np.percentile(latencies, [50, 95])
    return {
        "search_p50_ms": float(p50),
        "search_p95_ms": float(p95),
        "search_mean_ms": float(np.mean(latencies)),
        "search_queries": len(latencies),
        "search_records": searcher.manifest.records,
        "chroma_mode": settings.chroma.mode,
        "target_p95_ms": TARGET_P95_MS,
        "target_met": bool(p95 < TARGET_P95_MS),
    }


def lines(figures: dict[str, Any]) -> list[str]:
    where = f"{figures['chroma_mode']} Chroma, {figures['search_records']} records, {figures['search_queries']} queries"
    met = "met" if figures["target_met"] else "NOT met"
    return [
        f"hybrid search latency p50: {figures['search_p50_ms']:.1f} ms ({where})",
        f"hybrid search latency p95: {figures['search_p95_ms']:.1f} ms (target < {TARGET_P95_MS:.0f} ms: {met})",
    ]


if __name__ == "__main__":
    from eval.bench import run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=QUERIES, help="Timed queries.")
    run("search_latency", n=parser.parse_args().n)
