"""Ask latency at the full corpus: p50/p95 of end-to-end extractive answers over 200 dev questions.

The pipeline is opened and warmed up first (index, models, first-query caches), so the figures are what
a running service spends per question, not start-up cost. Questions come from the BioASQ dev set in
`../shared/eval`, the same 200 the CI gate uses.
"""

import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core.settings import Settings
from eval.answer_metrics import percentiles
from eval.questionset import load_questions

DEV_SET = Path("../shared/eval/bioasq-dev.jsonl")
QUESTIONS = 200
WARM_UP = 3


def measure(
    settings: Settings, questions_path: Path = DEV_SET, n: int = QUESTIONS, progress: bool = True
) -> dict[str, Any]:
    """Time `Answerer.ask` (extractive) on the first `n` questions of `questions_path`."""
    from rag.pipeline import build_pipeline

    questions = load_questions(questions_path, limit=n).questions
    pipeline = build_pipeline(settings)
    answerer = pipeline.answerer
    for question in questions[:WARM_UP]:
        answerer.ask(question.question, backend="extractive")
    latencies: list[float] = []
    refused = 0
    for question in tqdm(questions, desc="ask latency", unit="q", disable=not progress):
        started = time.perf_counter()
        answer = answerer.ask(question.question, backend="extractive")
        latencies.append((time.perf_counter() - started) * 1000)
        refused += answer.refused
    spread = percentiles(latencies)
    return {
        "ask_latency_p50_ms": spread["p50"],
        "ask_latency_p95_ms": spread["p95"],
        "ask_latency_mean_ms": spread["mean"],
        "ask_questions": len(latencies),
        "ask_refused": refused,
        "ask_backend": "extractive",
        "ask_sentence_vectors_stored": pipeline.searcher.manifest.sentence_vectors,
        "ask_questions_file": str(questions_path),
    }


def lines(figures: dict[str, Any]) -> list[str]:
    """One printed line per figure."""
    n = figures["ask_questions"]
    stored = "stored" if figures.get("ask_sentence_vectors_stored") else "encoded per question"
    return [
        f"ask latency p50: {figures['ask_latency_p50_ms']:.1f} ms (extractive, {n} questions, sentence vectors {stored})",
        f"ask latency p95: {figures['ask_latency_p95_ms']:.1f} ms (extractive, {n} questions, sentence vectors {stored})",
    ]
