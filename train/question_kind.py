"""The question-kind models: logistic regressions (scikit-learn, then stored as plain JSON) over
``rag.models.question_kind`` features hashed into a few thousand columns.

Yes/no recogniser. Data: BioASQ "train" questions (label: category == bioasq-yesno) and PubMedQA "train"
questions (all yes/no). Held-out: the "test" split of both, against the old rule (first word is an
auxiliary verb).
Answer form (factoid / list / summary, for questions that are not yes/no): BioASQ "train" questions of
those categories. Held-out: their "test" split, against the majority class."""

import json
import time
from pathlib import Path

import numpy as np

from eval.splits import select
from rag.models import question_kind as qk
from train import metrics
from train.sources import SharedData

DIMENSION = 4096
C = 1.0
FORMS = ("factoid", "list", "summary")
FORM_CHECKS = {  # must hold for the shipped form weights
    "Which growth factors do MSCs secrete?": "list",
    "List the cytokines found in the MSC secretome.": "list",
    "What is the mechanism of action of MSC exosomes in wound healing?": "summary",
    "Which tetraspanin is used as an exosome marker?": "factoid",
}
CHECKS = {  # must hold for the shipped weights (the examples and their opposites)
    "Hypoxic preconditioning: does it raise VEGF in the MSC secretome?": True,
    "Conditioned medium for wound healing: are the effects dose dependent?": True,
    "MSC exosomes in sepsis: a safe alternative to cell therapy?": True,
    "And do they contain microRNAs?": True,
    "Does hypoxia increase VEGF secretion by MSCs?": True,
    "Which is more effective, conditioned medium or exosomes?": False,
    "Which growth factors or cytokines do MSCs secrete?": False,
    "What is the MSC secretome?": False,
    "How are exosomes isolated from conditioned medium?": False,
    "List the growth factors in the MSC secretome.": False,
}


def labelled(shared: SharedData, split: str) -> list[tuple[str, int, str]]:
    """(question, 1 if yes/no, source) for one split."""
    bioasq = [(q["question"], int(q["category"] == "bioasq-yesno"), "bioasq") for q in select(shared.bioasq, split)]
    return bioasq + [(q["question"], 1, "pubmedqa") for q in select(shared.pubmedqa, split)]


def forms(shared: SharedData, split: str) -> list[tuple[str, str]]:
    """(question, factoid|list|summary) for the BioASQ questions of one split that are not yes/no."""
    return [
        (q["question"], q["category"].removeprefix("bioasq-"))
        for q in select(shared.bioasq, split)
        if q["category"].removeprefix("bioasq-") in FORMS
    ]


def matrix(texts: list[str], dimension: int = DIMENSION, featurize=qk.features) -> np.ndarray:
    x = np.zeros((len(texts), dimension), dtype=np.float32)
    for row, text in enumerate(texts):
        x[row, qk.hashed(featurize(text), dimension)] = 1.0
    return x


def train_forms(shared: SharedData, out_dir: Path, seed: int, log=print) -> dict:
    """Fit and store the answer-form model; held-out accuracy on validation and test."""
    from sklearn.linear_model import LogisticRegression

    train = forms(shared, "train")
    model = LogisticRegression(C=C, max_iter=3000, random_state=seed)
    model.fit(matrix([t for t, _ in train], featurize=qk.form_features), np.array([y for _, y in train]))
    labels = [str(label) for label in model.classes_]
    path = out_dir / "answer_form.json"
    weights = {
        "dimension": DIMENSION,
        "labels": labels,
        "intercepts": [round(float(b), 5) for b in model.intercept_],
        "weights": [[round(float(w), 5) for w in row] for row in model.coef_],
    }
    path.write_text(json.dumps(weights, separators=(",", ":")) + "\n")
    qk._load_forms.cache_clear()

    def scores(split: str) -> dict:
        rows = forms(shared, split)
        gold = [y for _, y in rows]
        predicted = [qk.answer_form(t, path) for t, _ in rows]
        return {
            "questions": len(rows),
            "accuracy": round(sum(p == g for p, g in zip(predicted, gold)) / len(rows), 4),
            "majority_baseline": round(max(gold.count(f) for f in FORMS) / len(rows), 4),
            "per_form_recall": {
                f: round(sum(p == g == f for p, g in zip(predicted, gold)) / max(1, gold.count(f)), 4) for f in FORMS
            },
        }

    validation, test = scores("validation"), scores("test")
    checks = {q: qk.answer_form(q, path) == expected for q, expected in FORM_CHECKS.items()}
    log(f"answer-form validation: {json.dumps(validation)}")
    log(f"answer-form HELD-OUT test: {json.dumps(test)}")
    log(f"answer-form checks: {sum(checks.values())}/{len(checks)} {[q for q, ok in checks.items() if not ok]}")
    return {
        "train_questions": len(train),
        "validation": validation,
        "test": test,
        "checks_passed": sum(checks.values()),
        "checks": len(checks),
    }


def aux_rule(text: str) -> int:
    words = qk.clauses(text)
    return int(bool(words) and words[0][0] in qk.AUXILIARIES)


def run(shared: SharedData, out_dir: Path, seed: int, work_dir: Path, limit=None, epochs=None, log=print) -> dict:
    from sklearn.linear_model import LogisticRegression

    start = time.time()
    train = labelled(shared, "train")
    model = LogisticRegression(C=C, max_iter=2000, random_state=seed)
    model.fit(matrix([t for t, _, _ in train]), np.array([y for _, y, _ in train]))
    weights = {
        "dimension": DIMENSION,
        "intercept": round(float(model.intercept_[0]), 5),
        "weights": [round(float(w), 5) for w in model.coef_[0]],
        "threshold": 0.5,
    }
    path = out_dir / "question_kind.json"
    path.write_text(json.dumps(weights, separators=(",", ":")) + "\n")
    qk._load.cache_clear()

    def scores(split):
        rows = labelled(shared, split)
        out = {}
        for source in ("bioasq", "pubmedqa", "all"):
            sel = [(t, y) for t, y, s in rows if source in ("all", s)]
            gold = [y for _, y in sel]
            out[source] = {
                "questions": len(sel),
                "yes_no_share": round(sum(gold) / len(gold), 4),
                "accuracy": round(metrics.accuracy([int(qk.is_yes_no_question(t, path)) for t, _ in sel], gold), 4),
                "accuracy_aux_first_rule": round(metrics.accuracy([aux_rule(t) for t, _ in sel], gold), 4),
                "majority_baseline": round(metrics.majority_accuracy(gold), 4),
            }
        return out

    validation, test = scores("validation"), scores("test")
    checks = {q: qk.is_yes_no_question(q, path) == expected for q, expected in CHECKS.items()}
    log(f"question-kind validation: {json.dumps(validation)}")
    log(f"question-kind HELD-OUT test: {json.dumps(test)}")
    log(f"question-kind checks: {sum(checks.values())}/{len(checks)} {[q for q, ok in checks.items() if not ok]}")
    form = train_forms(shared, out_dir, seed, log)
    return {
        "form": form,
        "train_questions": len(train),
        "train_yes_no": sum(y for _, y, _ in train),
        "validation": validation,
        "test": test,
        "checks_passed": sum(checks.values()),
        "checks": len(checks),
        "config": {"dimension": DIMENSION, "C": C, "seed": seed, "solver": "lbfgs", "threshold": 0.5},
        "train_seconds": round(time.time() - start, 1),
    }


def write_card(results: dict, out_dir: Path) -> None:
    from train import card

    path = out_dir / "question_kind.json"
    info = {
        "name": "yes/no question recogniser",
        **card.file_facts(path),
        **card.provenance(results),
        "data": {
            "bioasq": "bioasq-dev.jsonl split 'train'; label category == bioasq-yesno",
            "pubmedqa": "pubmedqa-train.jsonl split 'train'; all yes/no",
            "questions": results["train_questions"],
            "yes_no": results["train_yes_no"],
        },
        "features": "rag/models/question_kind.py features(): first word / first two words of every clause, "
        "aux-verb or wh-word clause starts, imperative start, ' or ', trailing '?', elliptic "
        "'X: a Y?' form; crc32-hashed into `dimension` columns",
        "hyper_parameters": results["config"],
        "validation": {k: v["accuracy"] for k, v in results["validation"].items()},
        "test": {
            f"{k}_{m}": v[m]
            for k, v in results["test"].items()
            for m in ("questions", "accuracy", "accuracy_aux_first_rule", "majority_baseline")
        },
        "examples_checked": f"{results['checks_passed']}/{results['checks']}",
        "timing": {"train_seconds": results["train_seconds"], "hardware": "2 shared CPU cores"},
    }
    body = """Logistic regression recognising yes/no questions, including ones whose verb comes after a
colon ("X: does it ...?"), elliptic ones ("X: a safe alternative?") and follow-ups ("And do they ...?").
Scores labelled test are on held-out test-split questions only."""
    card.write(out_dir, info, "Yes/no question recogniser", body, stem="question_kind.card")
    form, form_path = results["form"], out_dir / "answer_form.json"
    form_info = {
        "name": "answer-form classifier (factoid / list / summary)",
        **card.file_facts(form_path),
        **card.provenance(results),
        "data": {"bioasq": "bioasq-dev.jsonl split 'train'; label: category factoid / list / summary",
                 "questions": form["train_questions"]},
        "features": "rag/models/question_kind.py form_features(): features() plus the first clause's words and "
        "the word after the wh-word (and whether it is plural); crc32-hashed into `dimension` columns",
        "hyper_parameters": {**results["config"], "classes": list(FORMS), "multinomial": True},
        "validation": {"accuracy": form["validation"]["accuracy"]},
        "test": {
            "questions": form["test"]["questions"],
            "accuracy": form["test"]["accuracy"],
            "majority_baseline": form["test"]["majority_baseline"],
            **{f"recall_{k}": v for k, v in form["test"]["per_form_recall"].items()},
        },
        "examples_checked": f"{form['checks_passed']}/{form['checks']}",
    }
    form_body = """Multinomial logistic regression telling, for a question that is not yes/no, whether it wants one
thing named (factoid), several (list) or an explanation (summary); the extractive answer is shaped by it.
Scores labelled test are on held-out test-split questions only."""
    card.write(out_dir, form_info, "Answer-form classifier", form_body, stem="answer_form.card")
