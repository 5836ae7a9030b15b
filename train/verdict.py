"""The yes/no verdict model: (yes/no question, evidence text) -> one logit, P(yes) = sigmoid.

Recipe from ../shared/STACK.md (the one that learned): max_length 128, batch 16, lr 1e-4, warm-up 0.1,
6 epochs, context cut to its last ~500 characters. Data: BioASQ yes/no "train" questions with their gold
snippets as context, PubMedQA "train" questions with the conclusion as context and, as augmentation, the
tail of the abstract. Held-out: BioASQ yes/no and PubMedQA "test" questions, with the context built as in
training and with the context the answer stage would give (the relevance model's top sentences of the
gold records)."""

import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.splits import select
from rag.models import RELEVANCE_MODEL
from rag.models.pair_classifier import PairClassifier
from train import data, factoid_contrast, metrics, negation
from train.sources import SharedData
from train.trainer import TrainConfig

# STACK.md's recipe used 6 epochs over ~970 pairs (~10 min on idle cores); the shared cores gave about a
# quarter of that throughput, so: one pair per question, 3 epochs, embeddings and 2 lowest layers frozen.
# Tried 2026-12-01 on idle cores: STACK's recipe as written (all 927 pairs, 6 epochs, nothing frozen;
# 25 min) over-fits (loss 0.04) and scores lower on validation (BioASQ 0.636, PubMedQA 0.660 against
# 0.800 / 0.660 for this config), so this config stays.
CONFIG = TrainConfig(
    epochs=3.0, batch_size=16, learning_rate=1e-4, warmup_ratio=0.1, max_length=128, seed=13, frozen_layers=2
)
TOP_SENTENCES = 3


def questions(shared: SharedData, split: str, source: str) -> list[dict]:
    if source == "bioasq":
        pool = [q for q in select(shared.bioasq, split) if q["category"] == "bioasq-yesno"]
    else:
        pool = select(shared.pubmedqa, split)
    return [q for q in pool if data.yes_no_label(q) is not None]


@dataclass(frozen=True)
class Recipe:
    """One way to build the verdict model's training pairs, named as `python -m train` names it."""

    name: str
    directory: str  # under the models directory
    label: str = ""  # what the card's name adds
    flip_pubmedqa: bool = False
    factoid_pairs: bool = False


RECIPES = {
    recipe.name: recipe
    for recipe in (
        Recipe("verdict", "verdict"),
        Recipe("verdict-polarity", "verdict_polarity", " (polarity-flipped PubMedQA pairs)", flip_pubmedqa=True),
        Recipe("verdict-factoid", "verdict_factoid", " (factoid and list contrast pairs)", factoid_pairs=True),
    )
}


def relevance_model_for(out_dir: Path) -> Path:
    """The relevance model that builds the inference-like test contexts: the one trained into `out_dir` (by
    `all`, which trains it first) when its card is there, else the shipped one, so a verdict trained into an
    empty directory is scored at once rather than waiting for a model nobody is training."""
    trained = out_dir / "relevance" / "model-int8.onnx"
    return trained if (out_dir / "relevance" / "card.json").is_file() else RELEVANCE_MODEL


def factoid_pairs_of(shared: SharedData, split: str, seed: int) -> list[data.Pair]:
    """The split's BioASQ factoid and list questions as yes/no contrast pairs (`train.factoid_contrast`); the
    distractor vocabulary is the same split's answers, minus phrases common in the corpus."""
    pool = select(shared.bioasq, split)
    vocabulary = factoid_contrast.entity_vocabulary(pool)
    texts = (f"{r.get('title') or ''} {r.get('abstract') or ''}" for r in shared.records.values())
    vocabulary -= factoid_contrast.common_phrases(vocabulary, texts)
    rng = random.Random(seed)
    return [p for q in pool for p in factoid_contrast.contrast_pairs(q, data.gold_text(q, shared.records), vocabulary, rng)]


def training_pairs(
    shared: SharedData, split: str = "train", recipe: Recipe = RECIPES["verdict"], seed: int = 13
) -> list[data.Pair]:
    """One pair per question: BioASQ with the gold snippets; PubMedQA alternately (by file position)
    with the conclusion and with the tail of the abstract (the augmentation). `verdict-polarity` follows each
    PubMedQA pair with its polarity-flipped copy where one can be made (`train.negation`; not shipped: README
    "Trained models"); `verdict-factoid` adds the factoid and list questions' contrast pairs
    (`docs/experiments.md`)."""
    pairs = []
    for q in questions(shared, split, "bioasq"):
        pairs += data.verdict_examples(q, shared.records, augment=False)
    for i, q in enumerate(questions(shared, split, "pubmedqa")):
        examples = data.verdict_examples(q, shared.records, augment=True)
        if examples:
            chosen = examples[i % len(examples)]
            flipped_copy = negation.flipped(chosen) if recipe.flip_pubmedqa else None
            pairs += [chosen, flipped_copy] if flipped_copy else [chosen]
    if recipe.factoid_pairs:
        pairs += factoid_pairs_of(shared, split, seed)
    return pairs


def ranked_contexts(qs: list[dict], shared: SharedData, relevance: PairClassifier) -> list[str]:
    """Inference-like context: the relevance model's top sentences among the gold records' sentences."""
    out = []
    for q in qs:
        sentences = data.usable_sentences(data.gold_text(q, shared.records))
        if not sentences:
            out.append("")
            continue
        scores = relevance.scores(q["question"], sentences)
        out.append(data.ranked_context(sentences, list(scores), TOP_SENTENCES))
    return out


def score_set(prob, qs: list[dict], contexts: list[str]) -> dict:
    gold = [data.yes_no_label(q) for q in qs]
    p = np.array([float(prob(q["question"], c)) for q, c in zip(qs, contexts)])
    predicted = [int(x >= 0.5) for x in p]
    return {
        "questions": len(qs),
        "accuracy": round(metrics.accuracy(predicted, gold), 4),
        "majority_baseline_always_yes": round(sum(gold) / len(gold), 4) if gold else None,
        "auc": round(metrics.auc(p, np.array(gold)), 4),
        "predicted_yes_share": round(sum(predicted) / len(predicted), 4) if predicted else None,
    }


def evaluate(prob, shared: SharedData, split: str, relevance: PairClassifier | None) -> dict:
    out = {}
    for source in ("bioasq", "pubmedqa"):
        qs = questions(shared, split, source)
        as_trained = [data.verdict_examples(q, shared.records, augment=False) for q in qs]
        contexts = [ex[0].text if ex else "" for ex in as_trained]
        out[f"{source}_context_as_trained"] = score_set(prob, qs, contexts)
        if relevance is not None:
            out[f"{source}_context_relevance_top{TOP_SENTENCES}"] = score_set(
                prob, qs, ranked_contexts(qs, shared, relevance)
            )
    return out


def run(
    shared: SharedData,
    out_dir: Path,
    seed: int,
    work_dir: Path,
    limit: int | None = None,
    epochs: float | None = None,
    recipe: str = "verdict",
    log=print,
) -> dict:
    from train import export, trainer

    config = TrainConfig(**{**CONFIG.as_dict(), "seed": seed, **({"epochs": epochs} if epochs else {})})
    start = time.time()
    chosen = RECIPES[recipe]
    name = chosen.directory
    pairs = training_pairs(shared, recipe=chosen, seed=seed)[: limit or None]
    log(f"verdict: {len(pairs)} training pairs, yes share {sum(p.label for p in pairs) / len(pairs):.3f}")
    model = trainer.fit(pairs, config, work_dir / name, log)
    train_seconds = time.time() - start

    def torch_prob(question, context):
        return float(np.asarray(model.predict([(question, context)], show_progress_bar=False)).reshape(-1)[0])

    validation = evaluate(torch_prob, shared, "validation", None)
    log(f"verdict validation (torch fp32, context as trained): {validation}")
    target = out_dir / name / "model-int8.onnx"
    fp32 = work_dir / name / "model-fp32.onnx"
    export.export_int8(model, target, keep_fp32=fp32)
    check = [(p.query, p.text) for p in training_pairs(shared, "validation")]
    agree = export.agreement(fp32, target, check)
    log(f"int8 vs fp32 on {agree['pairs']} validation pairs: {agree}")
    verdict = PairClassifier(target)
    relevance_path = relevance_model_for(out_dir)
    relevance = PairClassifier(relevance_path)
    log(f"relevance model for the inference-like contexts: {relevance_path}")
    test = evaluate(lambda q, c: verdict.probabilities(q, [c])[0], shared, "test", relevance)
    log(f"verdict HELD-OUT test (int8 onnx): {test}")
    return {
        "pairs": len(pairs),
        "recipe": recipe,
        "config": config.as_dict(),
        "validation": validation,
        "test": test,
        "int8_vs_fp32": agree,
        "relevance_model_sha256": export.sha256_of(relevance_path),
        "train_seconds": round(train_seconds),
        "total_seconds": round(time.time() - start),
    }


def write_card(results: dict, out_dir: Path) -> None:
    from train import card

    recipe = RECIPES[results["recipe"]]
    directory = out_dir / recipe.directory
    path = directory / "model-int8.onnx"
    info = {
        "name": "yes/no verdict model" + recipe.label,
        "task": "(yes/no question, evidence text) -> logit; P(yes) = sigmoid(logit)",
        **card.artifact_facts(path),
        "tokenizer": "tokenizer.json of the bundled all-MiniLM-L6-v2; pair truncation longest_first, 128 tokens",
        "context": "rag.models.text.tail(): the last 500 characters of the evidence (conclusions come last)",
        **card.provenance(results),
        "data": {
            "bioasq": "bioasq-dev.jsonl yes/no questions in split 'train'; context: gold records' text "
            "(expert snippets) joined, tail 500 chars",
            "pubmedqa": "pubmedqa-train.jsonl split 'train'; context: alternately (by position) the "
            "conclusion (ideal_answer) or, as augmentation, the tail of the record's abstract"
            + (
                "; each followed by a copy with one concluding sentence's polarity flipped and the opposite "
                "label (train/negation.py)"
                if recipe.flip_pubmedqa
                else ""
            ),
            **(
                {
                    "bioasq_factoid_list": "bioasq-dev.jsonl factoid and list questions in split 'train', each made a "
                    "'yes' ('<question>: is it <answer>?') and a 'no' (another answer phrase of the split that the "
                    "gold snippets name) over the same snippet sentences (train/factoid_contrast.py)"
                }
                if recipe.factoid_pairs
                else {}
            ),
            "pairs": results["pairs"],
        },
        "hyper_parameters": {
            **results["config"],
            "loss": "BinaryCrossEntropyLoss (1 logit)",
            "trainer": "sentence-transformers CrossEncoderTrainer",
        },
        "evaluation": "accuracy at P(yes) >= 0.5; context_as_trained = built as for training; "
        f"context_relevance_top{TOP_SENTENCES} = the relevance model's top {TOP_SENTENCES} "
        "sentences among the gold record(s) sentences, in document order, tail 500 chars "
        "(what the answer stage would hand over); baseline = always yes (the majority class)",
        "relevance_model_sha256_used_for_test_contexts": results.get("relevance_model_sha256"),
        "undetermined": "not trained; callers may treat P(yes) near 0.5 as undetermined",
        "validation": {k: v["accuracy"] for k, v in results["validation"].items()},
        "test": {
            f"{k}_{m}": v[m]
            for k, v in results["test"].items()
            for m in ("questions", "accuracy", "majority_baseline_always_yes", "auc")
        },
        "int8_vs_fp32": results["int8_vs_fp32"],
        "quantization": "onnxruntime quantize_dynamic, QInt8 per channel, op types MatMul + Gather (embeddings)",
        "timing": {
            "train_seconds": results["train_seconds"],
            "total_seconds": results["total_seconds"],
            "hardware": "2 shared CPU cores, no GPU",
        },
    }
    body = """A MiniLM-L6 pair classifier fine-tuned to read evidence for a yes/no question and give P(yes).
Feed it the question and the evidence sentences (their last ~500 characters, `rag.models.text.tail`).
Held-out figures are on test-split questions only, scored with this int8 file."""
    card.write(directory, info, "Yes/no verdict model (int8 ONNX)", body)
