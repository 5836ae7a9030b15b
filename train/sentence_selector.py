"""The sentence selector: which of the evidence sentences an extractive answer may quote.

Data: BioASQ dev questions of the "train" split, run through the project's own read path over a built
index (``SECRETOME_DATA_DIR``; `secretome-qa index` first): every candidate sentence the cross-encoder
reads is an example, labelled 1 when its record is one of the question's gold records (BioASQ's experts
marked snippets of exactly those). Model: a logistic regression over ``rag.models.sentence_selector``
features, stored as JSON. The threshold is chosen on the "validation" split by replaying the answer
stage's own selection (`ExtractiveGenerator.pick`): the highest citation precision among thresholds that
keep at least the key-fact recall of the rule the selector replaces. Held-out: the "test" split, replayed
the same way, against that rule.
"""

import copy
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from core.errors import IndexMissingError
from core.settings import Settings
from eval.answer_metrics import key_fact_recall
from eval.splits import select
from rag.answer.extractive import ExtractiveGenerator, Scored
from rag.models.sentence_selector import FEATURES, SentenceSelector, selector_features
from train.sources import SharedData

C = 1.0
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.05, 0.96, 0.05))
ARTIFACT = "sentence_selector.json"


@dataclass(frozen=True)
class Case:
    """One question's scored candidate sentences (None when the answer stage refused) and its gold."""

    question_id: str
    gold: frozenset[str]
    key_facts: list[list[str]]
    scored: Scored | None


def collect(settings: Settings, splits: dict[str, Sequence[dict]]) -> tuple[ExtractiveGenerator, dict[str, list[Case]]]:
    """Run retrieval and sentence scoring for each question of each split, as `secretome-qa ask` would (rule
    selection), over one opened pipeline."""
    from rag.pipeline import build_pipeline

    rule = settings.answer.model_copy(update={"sentence_selection": "rule"})
    pipeline = build_pipeline(settings.model_copy(update={"answer": rule}))
    answerer = pipeline.answerer
    cases: dict[str, list[Case]] = {}
    try:
        for split, questions in splits.items():
            cases[split] = []
            for q in tqdm(questions, desc=f"{split} questions", unit="q"):
                prepared = answerer.prepare(q["question"])
                scored = None
                if prepared.refusal is None:
                    scored = answerer.extractive.score_candidates(
                        prepared.question, prepared.evidence, vector=prepared.vector
                    )
                cases[split].append(Case(q["id"], frozenset(q.get("gold_pmids", [])), q.get("key_facts") or [], scored))
    finally:
        pipeline.close()
    return answerer.extractive, cases


def examples(generator: ExtractiveGenerator, cases: Sequence[Case]) -> tuple[np.ndarray, np.ndarray]:
    """Features and gold-record labels of every candidate the cross-encoder read."""
    rows, labels = [], []
    for case in cases:
        if case.scored is None or not case.scored.candidates:
            continue
        read = case.scored.relevance > -1
        features = selector_features(generator.selector_inputs(case.scored), generator.floor, generator.lexical_weight)
        rows.append(features[read])
        labels.append(np.array([c.pmid in case.gold for c in case.scored.candidates], dtype=float)[read])
    return np.vstack(rows), np.concatenate(labels)


def replay(generator: ExtractiveGenerator, cases: Sequence[Case]) -> dict:
    """Key-fact recall and citation precision of the sentences the generator picks (refusals score 0 facts)."""
    recalls, cited, on_gold, sentences = [], 0, 0, 0
    for case in cases:
        picked = generator.pick(case.scored) if case.scored is not None and case.scored.candidates else []
        recall = key_fact_recall(" ".join(s.candidate.text for s in picked), case.key_facts)
        if recall is not None:
            recalls.append(recall)
        pmids = {s.candidate.pmid for s in picked}
        cited += len(pmids)
        on_gold += len(pmids & case.gold)
        sentences += len(picked)
    return {
        "questions": len(cases),
        "key_fact_recall": round(float(np.mean(recalls)), 4) if recalls else None,
        "citation_gold_precision": round(on_gold / cited, 4) if cited else None,
        "sentences_per_answer": round(sentences / len(cases), 2) if cases else None,
    }


def with_selector(generator: ExtractiveGenerator, selector: SentenceSelector | None) -> ExtractiveGenerator:
    chosen = copy.copy(generator)
    chosen.selector = selector
    return chosen


def choose_threshold(generator: ExtractiveGenerator, fitted: SentenceSelector, cases: Sequence[Case]) -> tuple:
    """The threshold with the best precision among those keeping the rule's key-fact recall, and the grid."""
    rule = replay(with_selector(generator, None), cases)
    grid = {}
    for threshold in THRESHOLDS:
        selector = SentenceSelector(fitted.intercept, fitted.weights, threshold)
        grid[threshold] = replay(with_selector(generator, selector), cases)
    keeping = [t for t, r in grid.items() if r["key_fact_recall"] >= rule["key_fact_recall"]]
    if not keeping:
        raise RuntimeError(f"no threshold keeps the rule's key-fact recall on validation: {rule} vs {grid}")
    best = max(keeping, key=lambda t: (grid[t]["citation_gold_precision"], -t))
    return best, rule, grid


def index_facts(settings: Settings) -> dict:
    """Which index the candidates came from: the selector learns from that index's retrieval."""
    from rag.index.manifest import read_manifest

    try:
        manifest = read_manifest(settings.index_dir)
    except IndexMissingError as exc:
        raise IndexMissingError(
            f"{exc}: the sentence selector learns from the read path's own candidates, so build the index "
            "first (`secretome-qa index`, or set SECRETOME_DATA_DIR to a data dir that has one)"
        ) from exc
    return {"records": manifest.records, "chunks": manifest.chunks, "collection": manifest.collection}


def bioasq(shared: SharedData, split: str, limit: int | None = None) -> list[dict]:
    return select(shared.bioasq, split)[:limit]


def run(
    shared: SharedData,
    out_dir: Path,
    seed: int,
    work_dir: Path,
    limit=None,
    epochs=None,
    log=print,
    settings: Settings | None = None,
) -> dict:
    from sklearn.linear_model import LogisticRegression

    start = time.time()
    settings = settings or Settings()
    index = index_facts(settings)  # IndexMissingError before any work when nothing is built
    generator, cases = collect(
        settings, {split: bioasq(shared, split, limit) for split in ("train", "validation", "test")}
    )
    train_cases, validation_cases, test_cases = cases["train"], cases["validation"], cases["test"]
    features, labels = examples(generator, train_cases)
    model = LogisticRegression(C=C, max_iter=3000, random_state=seed).fit(features, labels)
    fitted = SentenceSelector(float(model.intercept_[0]), model.coef_[0].astype(np.float64), 0.5)
    threshold, rule_validation, grid = choose_threshold(generator, fitted, validation_cases)
    selector = SentenceSelector(fitted.intercept, fitted.weights, threshold)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ARTIFACT
    path.write_text(
        json.dumps(
            {
                "features": list(FEATURES),
                "intercept": round(selector.intercept, 6),
                "weights": [round(float(w), 6) for w in selector.weights],
                "threshold": threshold,
            },
            indent=1,
        )
        + "\n"
    )
    shipped = SentenceSelector.load(path)
    validation = replay(with_selector(generator, shipped), validation_cases)
    test = replay(with_selector(generator, shipped), test_cases)
    rule_test = replay(with_selector(generator, None), test_cases)
    log(f"sentence-selector validation: selector {json.dumps(validation)} rule {json.dumps(rule_validation)}")
    log(f"sentence-selector HELD-OUT test: selector {json.dumps(test)} rule {json.dumps(rule_test)}")
    return {
        "train_questions": len(train_cases),
        "train_examples": len(labels),
        "train_positive_share": round(float(labels.mean()), 4),
        "validation": {"selector": validation, "rule": rule_validation},
        "threshold_grid": {str(t): r for t, r in grid.items()},
        "test": {"selector": test, "rule": rule_test},
        "config": {
            "seed": seed,
            "C": C,
            "solver": "lbfgs",
            "threshold": threshold,
            "floor": generator.floor,
            "sentence_pool": generator.pool,
            "max_sentences": generator.max_sentences,
            "max_per_record": generator.max_per_record,
            "max_per_top_record": generator.max_per_top_record,
            "top_record_title": generator.top_record_title,
            "cut_tails": generator.cut_tails,
        },
        "index": index,
        "train_seconds": round(time.time() - start, 1),
    }


def write_card(results: dict, out_dir: Path) -> None:
    from train import card

    path = out_dir / ARTIFACT
    info = {
        "name": "sentence selector",
        **card.file_facts(path),
        **card.provenance(results),
        "data": {
            "bioasq": "bioasq-dev.jsonl split 'train', run through the read path over the index named below; "
            "every candidate sentence the cross-encoder read is an example, label: its record is gold",
            "index": results["index"],
            "questions": results["train_questions"],
            "examples": results["train_examples"],
            "positive_share": results["train_positive_share"],
        },
        "features": ", ".join(FEATURES) + " (rag/models/sentence_selector.py)",
        "threshold_rule": "on validation, the best citation precision among thresholds whose key-fact recall is "
        "at least the rule's (floor + cross-encoder rescue); replayed with ExtractiveGenerator.pick",
        "hyper_parameters": results["config"],
        "validation": {f"{who}_{k}": v for who, r in results["validation"].items() for k, v in r.items()},
        "test": {f"{who}_{k}": v for who, r in results["test"].items() for k, v in r.items()},
        "timing": {"train_seconds": results["train_seconds"], "hardware": "2 shared CPU cores"},
    }
    body = """Logistic regression deciding which evidence sentences an extractive answer may quote: P(the
sentence's record is one the question's experts cited), from scores the answer stage already has. Scores
labelled test are replays of the answer stage's selection on held-out test-split questions; the selector
and the rule it replaces read the same candidates."""
    card.write(out_dir, info, "Sentence selector", body, stem="sentence_selector.card")
