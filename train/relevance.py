"""The relevance cross-encoder: (question, sentence or title + passage) -> relevance logit.

Positives: sentences of the gold records of BioASQ "train" questions (those records hold exactly the
expert-marked snippets) and a gold record as a passage; negatives: the most question-like sentence of top
BM25 records that are not gold, a random sentence, and a non-gold top BM25 record as a passage."""

import random
import time
from pathlib import Path

import numpy as np

from eval.splits import select
from train import data, metrics
from train.negatives import Bm25
from train.sources import SharedData
from train.trainer import TrainConfig

CONFIG = TrainConfig(
    epochs=1.0, batch_size=16, learning_rate=1e-4, warmup_ratio=0.1, max_length=128, seed=13, frozen_layers=2
)
MAX_TRAIN_QUESTIONS = 900
VALIDATION_QUESTIONS = 50
PASSAGE_TEST_QUESTIONS = 200
PASSAGE_EVAL_LENGTH = 128  # as trained; the runtime allows 256 for passages


def _records(pmids, records):
    return [records[p] for p in pmids if p in records]


def _random_records(rng: random.Random, pmids: list[str], exclude: set[str], n: int, records) -> list[dict]:
    out = []
    while len(out) < n:
        p = rng.choice(pmids)
        if p not in exclude:
            out.append(records[p])
    return out


def build_pairs(shared: SharedData, bm25: Bm25, split: str, seed: int, limit: int | None = None):
    rng = random.Random(f"relevance-{split}-{seed}")
    pairs = []
    for i, q in enumerate(select(shared.bioasq, split)):
        if i >= MAX_TRAIN_QUESTIONS:
            break
        gold = set(q["gold_pmids"])
        hard = _records(bm25.top(q["question"], 10, gold), shared.records)
        # 2 pairs a question, sized to ~15 min on 2 shared CPU cores: every third question a gold
        # record against a top BM25 non-gold record (passages), the others a gold sentence against the
        # most question-like sentence of a top BM25 non-gold record.
        with_passages = i % 3 == 0
        n = 0 if with_passages else 1
        pairs += data.relevance_pairs(
            q["question"],
            _records(q["gold_pmids"], shared.records),
            hard,
            [],
            rng,
            positive_sentences=n,
            hard_sentences=n,
            random_sentences=0,
            passages=with_passages,
        )
        if limit and len(pairs) >= limit:
            break
    return pairs


def build_candidates(
    shared: SharedData, bm25: Bm25, split: str, seed: int, limit: int | None = None, passage_limit: int | None = None
):
    """Sentence ranking problems and passage (record re-ranking) problems for evaluation; passages
    (the costly part) only for the first ``passage_limit`` questions."""
    rng = random.Random(f"relevance-eval-{split}-{seed}")
    sentence_sets, passage_sets = [], []
    for q in select(shared.bioasq, split):
        gold = set(q["gold_pmids"])
        gold_records = _records(q["gold_pmids"], shared.records)
        hard_ids = bm25.top(q["question"], 10, gold)
        hard = _records(hard_ids, shared.records)
        cands = data.sentence_candidates(
            q["question"],
            gold_records,
            hard,
            _random_records(rng, bm25.pmids, gold, 2, shared.records),
            rng,
            max_positives=3,
            hard_negatives=6,
        )
        if cands:
            sentence_sets.append(cands)
        if passage_limit is not None and len(passage_sets) >= passage_limit:
            continue
        scores = bm25.scores(q["question"])
        ids = rng.sample(q["gold_pmids"], min(2, len(q["gold_pmids"]))) + hard_ids[:6]
        passage_sets.append(
            data.Candidates(
                q["question"],
                [data.record_passage(shared.records[p]) for p in ids],
                [1 if p in gold else 0 for p in ids],
                [float(scores[bm25.position[p]]) for p in ids],
            )
        )
        if limit and len(sentence_sets) >= limit:
            break
    return sentence_sets, passage_sets


def evaluate(scorer, sentence_sets, passage_sets) -> dict:
    """MRR and AUC of gold sentences among hard/random negatives; MRR of gold records among the top
    BM25 non-gold records (passages), against BM25's own order on the same candidates."""
    mrr, aucs, all_s, all_l = [], [], [], []
    for c in sentence_sets:
        s = scorer(c.question, c.texts, 128)
        mrr.append(metrics.reciprocal_rank(s, np.array(c.labels)))
        aucs.append(metrics.auc(s, np.array(c.labels)))
        all_s += list(s)
        all_l += c.labels
    p_mrr, b_mrr = [], []
    for c in passage_sets:
        s = scorer(c.question, c.texts, PASSAGE_EVAL_LENGTH)
        p_mrr.append(metrics.reciprocal_rank(s, np.array(c.labels)))
        b_mrr.append(metrics.reciprocal_rank(np.array(c.baseline), np.array(c.labels)))
    return {
        "questions": len(sentence_sets),
        "sentence_pairs": len(all_l),
        "sentence_mrr": round(float(np.mean(mrr)), 4),
        "sentence_auc_per_question": round(float(np.nanmean(aucs)), 4),
        "sentence_auc_pooled": round(metrics.auc(np.array(all_s), np.array(all_l)), 4),
        "passage_questions": len(passage_sets),
        "passage_mrr": round(float(np.mean(p_mrr)), 4),
        "passage_mrr_bm25_baseline": round(float(np.mean(b_mrr)), 4),
        "sentence_mrr_random_baseline": round(
            float(np.mean([metrics.random_reciprocal_rank(len(c.labels), sum(c.labels)) for c in sentence_sets])), 4
        ),
        "passage_mrr_random_baseline": round(
            float(np.mean([metrics.random_reciprocal_rank(len(c.labels), sum(c.labels)) for c in passage_sets])), 4
        ),
    }


def torch_scorer(model):
    def score(query, texts, max_length):
        model.max_length = max_length
        return np.asarray(
            model.predict([(query, t) for t in texts], activation_fn=None, batch_size=32, show_progress_bar=False)
        ).reshape(-1)

    return score


def onnx_scorer(path: Path):
    from rag.models.pair_classifier import PairClassifier

    clf = PairClassifier(path)
    return lambda query, texts, max_length: clf.scores(query, texts, max_length=max_length)


def run(
    shared: SharedData,
    out_dir: Path,
    seed: int,
    work_dir: Path,
    limit: int | None = None,
    epochs: float | None = None,
    log=print,
) -> dict:
    from train import export, trainer

    config = TrainConfig(**{**CONFIG.as_dict(), "seed": seed, **({"epochs": epochs} if epochs else {})})
    start = time.time()
    bm25 = Bm25(shared.records)
    pairs = build_pairs(shared, bm25, "train", seed, limit)
    kinds = {k: sum(1 for p in pairs if p.kind == k) for k in ("sentence", "passage")}
    log(f"relevance: {len(pairs)} training pairs {kinds}, positives {sum(p.label for p in pairs):.0f}")
    model = trainer.fit(pairs, config, work_dir / "relevance", log)
    train_seconds = time.time() - start
    # validation is a sanity check only (nothing is tuned on it), so 80 questions are enough
    val_s, val_p = build_candidates(shared, bm25, "validation", seed, limit=VALIDATION_QUESTIONS)
    validation = evaluate(torch_scorer(model), val_s, val_p)
    log(f"relevance validation (torch fp32): {validation}")
    target = out_dir / "relevance" / "model-int8.onnx"
    fp32 = work_dir / "relevance" / "model-fp32.onnx"
    export.export_int8(model, target, keep_fp32=fp32)
    check_pairs = [(c.question, t) for c in val_s[:30] for t in c.texts]
    agree = export.agreement(fp32, target, check_pairs)
    log(f"int8 vs fp32 on {agree['pairs']} validation pairs: {agree}")
    test_s, test_p = build_candidates(
        shared, bm25, "test", seed, limit=30 if limit else None, passage_limit=PASSAGE_TEST_QUESTIONS
    )
    test = evaluate(onnx_scorer(target), test_s, test_p)
    log(f"relevance HELD-OUT test (int8 onnx): {test}")
    return {
        "pairs": len(pairs),
        "pair_kinds": kinds,
        "config": config.as_dict(),
        "validation": validation,
        "test": test,
        "int8_vs_fp32": agree,
        "train_seconds": round(train_seconds),
        "total_seconds": round(time.time() - start),
    }


def write_card(results: dict, out_dir: Path) -> None:
    from train import card

    path = out_dir / "relevance" / "model-int8.onnx"
    info = {
        "name": "relevance cross-encoder",
        "task": "(question, sentence or title + passage) -> relevance logit (higher = more relevant)",
        **card.artifact_facts(path),
        "tokenizer": "tokenizer.json of the bundled all-MiniLM-L6-v2; pair truncation longest_first",
        "max_length": {"sentences": 128, "passages": 256, "trained": 128},
        **card.provenance(results),
        "data": {
            "questions": f"../shared/eval/bioasq-dev.jsonl, split 'train', first {MAX_TRAIN_QUESTIONS} in "
            "file order; 2 pairs each (a positive and a negative; passages for every third question)",
            "positives": "sentences of the question's gold records (source bioasq-snippets: the expert-marked "
            "snippets, split at ' … ' and sentence ends) and one gold record as title + passage",
            "negatives": "the most question-like sentence of a top-10 BM25 (bm25s + PyStemmer over corpus "
            "titles + abstracts) records that are not gold; a top-5 non-gold record as passage",
            "pairs": results["pairs"],
            "pair_kinds": results["pair_kinds"],
        },
        "hyper_parameters": {
            **results["config"],
            "loss": "BinaryCrossEntropyLoss (1 logit)",
            "trainer": "sentence-transformers CrossEncoderTrainer",
        },
        "evaluation": "sentence: up to 3 gold sentences vs the most question-like sentence of each "
        "top-6 non-gold BM25 record + 2 random sentences, all test questions; passage: up to 2 gold "
        "records + top-6 non-gold BM25 records as title + abstract (128 tokens, as trained), BM25 order "
        f"on the same candidates as baseline, first {PASSAGE_TEST_QUESTIONS} test questions (the CI gate "
        f"questions); validation: first {VALIDATION_QUESTIONS} validation questions",
        "validation": results["validation"],
        "test": results["test"],
        "int8_vs_fp32": results["int8_vs_fp32"],
        "quantization": "onnxruntime quantize_dynamic, QInt8 per channel, op types MatMul + Gather (embeddings)",
        "timing": {
            "train_seconds": results["train_seconds"],
            "total_seconds": results["total_seconds"],
            "hardware": "2 shared CPU cores, no GPU",
        },
    }
    body = """A MiniLM-L6 cross-encoder fine-tuned to say how well a sentence (or a record's title + abstract)
answers a biomedical question. The answer stage uses it to pick evidence sentences; the retriever can use
it to re-rank records. Scores are logits (sigmoid for a probability); compare them within one question.
Held-out figures are on BioASQ test-split questions only, scored with this int8 file."""
    card.write(out_dir / "relevance", info, "Relevance cross-encoder (int8 ONNX)", body)
