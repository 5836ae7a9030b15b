"""Indexing speed on the snapshot: the project's pipeline against naive sentence-transformers, one run.

Two naive baselines, both sentence-transformers fp32 on PyTorch over the same chunk texts:
- `naive` (issue 8): batch 32, texts in corpus order, each batch of 32 embedded as it comes, the way a
  simple indexing loop does it;
- `reference` (issue 5's measured baseline, ~57 records/s there): batch 64 over the whole list, which
  sentence-transformers sorts by length.
The project's encoder runs beside them in alternating slices, so load from other processes hits all
alike. Their vectors then answer the dev questions (dense-only, recall@10 over the indexed records):
the recall the speed costs (target: at most 0.01 below fp32). Last, the whole write path (`Indexer`:
chunk, embed, Chroma, BM25) indexes the same records into a fresh data dir, once cold and once with
`--rebuild` over the warm embedding cache. Issue 5's target: the cold pipeline at least 3x the records/s
of both baselines. The whole snapshot takes about 40 minutes on 2 cores, most of it in the baselines.

    python -m eval.bench.indexing [--records N] [--questions N]   (0: the whole snapshot / every question)
"""

import argparse
import itertools
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from core.settings import Settings
from eval.questionset import load_questions
from eval.retrieval_metrics import recall_at_k
from ingest.jsonl import read_jsonl
from ingest.records import PubMedRecord
from ingest.store import DocumentStore

DEV_SET = Path("../shared/eval/bioasq-dev.jsonl")
RECORDS = 0
QUESTIONS = 0
SLICES = 6
NAIVE_BATCH = 32
REFERENCE_BATCH = 64
TARGET_SPEEDUP = 3.0
MAX_RECALL_LOSS = 0.01
SEED = 5


def sample_records(corpus: Path, gold: set[str], n: int) -> list[PubMedRecord]:
    """The gold records plus seeded random others, `n` in all (every record when n is 0)."""
    records = [r for r in read_jsonl(corpus) if isinstance(r, PubMedRecord)]
    if n <= 0 or n >= len(records):
        return records
    chosen = [r for r in records if r.pmid in gold]
    others = [r for r in records if r.pmid not in gold]
    chosen += random.Random(SEED).sample(others, max(0, n - len(chosen)))
    return chosen


def dense_recall(chunk_pmids: list[str], vectors: np.ndarray, queries: np.ndarray, gold: list[set[str]]) -> float:
    """Mean recall@10 of records ranked by their best chunk's cosine to each query."""
    pmids = np.array(chunk_pmids)
    total = 0.0
    for query, wanted in zip(queries, gold):
        order = np.argsort(-(vectors @ query), kind="stable")
        ranked = list(dict.fromkeys(pmids[order[:200]]))
        total += recall_at_k(ranked, wanted, 10)
    return total / len(gold) if gold else 0.0


class CorpusOrderEncoder:
    """The naive indexing loop: sentence-transformers on fixed-size batches in the order the records come."""

    def __init__(self, model: Any, batch_size: int):
        self.model = model
        self.batch_size = batch_size
        self.variant = f"torch-fp32 batch {batch_size}, unsorted"

    def encode(self, texts: list[str]) -> np.ndarray:
        parts = [
            self.model.encode(texts[i : i + self.batch_size], batch_size=self.batch_size, normalize_embeddings=True)
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(parts).astype(np.float32)


def time_side_by_side(encoders: dict[str, Any], texts: list[str], slices: int) -> tuple[dict, dict]:
    """Seconds each encoder spent on all texts, and its vectors; slices alternate which encoder goes first."""
    seconds = {name: 0.0 for name in encoders}
    vectors: dict[str, list[np.ndarray]] = {name: [] for name in encoders}
    for encoder in encoders.values():
        encoder.encode(texts[:16])
    bounds = np.linspace(0, len(texts), slices + 1, dtype=int)
    with tqdm(total=len(texts) * len(encoders), desc="encoding side by side", unit="text") as bar:
        for i, (start, end) in enumerate(itertools.pairwise(bounds)):
            names = list(encoders) if i % 2 == 0 else list(reversed(encoders))
            for name in names:
                bar.set_postfix_str(name)
                started = time.perf_counter()
                vectors[name].append(encoders[name].encode(texts[start:end]))
                seconds[name] += time.perf_counter() - started
                bar.update(end - start)
    return seconds, {name: np.concatenate(parts) for name, parts in vectors.items()}


def pipeline(settings: Settings, records: list[PubMedRecord]) -> tuple[float, float]:
    """Seconds for a cold `Indexer.run` over `records` in a fresh data dir, then for a cached `--rebuild`."""
    from rag.index.indexer import Indexer

    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        embedded = settings.chroma.model_copy(update={"mode": "embedded"})
        fresh = settings.model_copy(update={"data_dir": Path(tmp) / "data", "chroma": embedded})
        with DocumentStore(fresh.store_path) as store:
            store.upsert(records)
        indexer = Indexer(fresh)
        cold = indexer.run(show_progress=True).seconds
        warm = indexer.run(rebuild=True, show_progress=True).seconds
        indexer.embeddings.close()
    return cold, warm


def measure(
    settings: Settings,
    questions_path: Path = DEV_SET,
    records: int = RECORDS,
    questions: int = QUESTIONS,
    slices: int = SLICES,
) -> dict[str, Any]:
    from rag.index.chunking import chunk_record
    from rag.index.embeddings import LocalEmbeddings, resolve_model_path
    from rag.index.layout import chunking_params
    from rag.index.torch_encoder import TorchEncoder

    asked = [q for q in load_questions(questions_path).questions if q.answerable and q.gold_pmids]
    asked = asked[:questions] if questions > 0 else asked
    sample = sample_records(settings.corpus_path, {p for q in asked for p in q.gold_pmids}, records)
    present = {r.pmid for r in sample}
    asked = [q for q in asked if present & set(q.gold_pmids)]
    params = chunking_params(settings)
    chunks = [c for r in sample for c in chunk_record(r, params)]
    texts = [c.embed_text for c in chunks]

    lever = LocalEmbeddings(settings.embedding, use_cache=False).encoder
    reference = TorchEncoder(resolve_model_path(settings.embedding), "fp32", REFERENCE_BATCH, settings.embedding.threads)
    naive = CorpusOrderEncoder(reference.model, NAIVE_BATCH)
    encoders = {"naive": naive, "reference": reference, "lever": lever}
    seconds, vectors = time_side_by_side(encoders, texts, slices)
    gold = [set(q.gold_pmids) & present for q in asked]
    pmids = [c.pmid for c in chunks]
    queries = [q.question for q in asked]
    recall_fp32 = dense_recall(pmids, vectors["reference"], reference.encode(queries), gold)
    recall_lever = dense_recall(pmids, vectors["lever"], lever.encode(queries), gold)
    cold, warm = pipeline(settings, sample)
    rate = {name: len(sample) / seconds[name] for name in encoders}
    pipeline_rate = len(sample) / cold
    figures = {
        "records": len(sample),
        "chunks": len(chunks),
        "questions": len(asked),
        "lever": lever.variant,
        "naive": naive.variant,
        "reference": f"{reference.variant} batch {REFERENCE_BATCH}, length-sorted",
        "naive_records_per_s": rate["naive"],
        "reference_records_per_s": rate["reference"],
        "lever_records_per_s": rate["lever"],
        "encoder_speedup": rate["lever"] / rate["naive"],
        "pipeline_records_per_s": pipeline_rate,
        "pipeline_speedup": pipeline_rate / rate["naive"],
        "pipeline_speedup_vs_reference": pipeline_rate / rate["reference"],
        "cached_rebuild_records_per_s": len(sample) / warm,
        "cached_rebuild_speedup": (len(sample) / warm) / rate["naive"],
        "dense_recall_at_10_fp32": recall_fp32,
        "dense_recall_at_10_lever": recall_lever,
        "recall_loss": recall_fp32 - recall_lever,
        "target_speedup": TARGET_SPEEDUP,
        "max_recall_loss": MAX_RECALL_LOSS,
    }
    figures["targets_met"] = bool(
        min(figures["pipeline_speedup"], figures["pipeline_speedup_vs_reference"]) >= TARGET_SPEEDUP
        and figures["recall_loss"] <= MAX_RECALL_LOSS
    )
    return figures


def lines(figures: dict[str, Any]) -> list[str]:
    n = f"{figures['records']} records, {figures['chunks']} chunks"
    return [
        f"indexing naive ({figures['naive']}): {figures['naive_records_per_s']:.1f} records/s ({n})",
        f"indexing reference ({figures['reference']}): {figures['reference_records_per_s']:.1f} records/s",
        (
            f"indexing encoder {figures['lever']}: {figures['lever_records_per_s']:.1f} records/s"
            f" = {figures['encoder_speedup']:.2f}x naive (same texts, interleaved)"
        ),
        (
            f"indexing pipeline (chunk+embed+Chroma+BM25, cold cache): {figures['pipeline_records_per_s']:.1f}"
            f" records/s = {figures['pipeline_speedup']:.2f}x naive, {figures['pipeline_speedup_vs_reference']:.2f}x"
            f" reference (target >= {figures['target_speedup']:.0f}x)"
        ),
        (
            f"indexing pipeline --rebuild, warm embedding cache: {figures['cached_rebuild_records_per_s']:.1f}"
            f" records/s = {figures['cached_rebuild_speedup']:.2f}x naive"
        ),
        (
            f"dense recall@10 on {figures['questions']} dev questions: fp32 {figures['dense_recall_at_10_fp32']:.4f},"
            f" {figures['lever']} {figures['dense_recall_at_10_lever']:.4f}"
            f" (loss {figures['recall_loss']:+.4f}, allowed {figures['max_recall_loss']})"
        ),
    ]


if __name__ == "__main__":
    from eval.bench import run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=RECORDS, help="Records to index; 0 = the whole snapshot.")
    parser.add_argument("--questions", type=int, default=QUESTIONS, help="Dev questions for the recall check; 0 = all.")
    args = parser.parse_args()
    run("indexing", records=args.records, questions=args.questions)
