"""Is this a yes/no question, and if not, does it want one thing named (factoid), several (list) or an
explanation (summary)? Tiny logistic regressions over hand features and hashed first words of each clause,
so "Hypoxic preconditioning: does it raise VEGF?", "MSC exosomes in sepsis: a safe alternative to cell
therapy?" and "And do they contain microRNAs?" count as yes/no, and "Which ... or ...?" and other
wh-questions do not. Pure Python: the weights are small JSON files shipped here (``question_kind.json``,
``answer_form.json``, trained by ``python -m train question-kind``)."""

import json
import math
import re
import zlib
from functools import lru_cache
from pathlib import Path

from rag.models import ANSWER_FORM_WEIGHTS, QUESTION_KIND_WEIGHTS

WEIGHTS_PATH = QUESTION_KIND_WEIGHTS
AUXILIARIES = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "am",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "shall",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "don't",
        "doesn't",
        "didn't",
        "can't",
        "cannot",
        "couldn't",
        "won't",
        "wouldn't",
        "shouldn't",
        "hasn't",
        "haven't",
    ]
)
WH_WORDS = frozenset(["what", "which", "who", "whom", "whose", "when", "where", "why", "how"])
IMPERATIVES = frozenset(
    [
        "list",
        "name",
        "describe",
        "give",
        "explain",
        "summarize",
        "summarise",
        "define",
        "enumerate",
        "mention",
        "provide",
        "identify",
        "tell",
        "compare",
        "outline",
    ]
)
CONJUNCTIONS = frozenset(["and", "but", "so", "or", "then", "also", "yet"])
_CLAUSE = re.compile(r"\s*(?:[:;?!]|\.\s|\s-+\s|--|,)\s*")
_WORD = re.compile(r"[a-z0-9']+")


def clauses(text: str) -> list[list[str]]:
    """Lower-cased words of each clause (split at : ; ? ! . , and dashes), leading conjunctions dropped."""
    out = []
    for piece in _CLAUSE.split(text.lower().replace("’", "'")):
        words = _WORD.findall(piece)
        while words and words[0] in CONJUNCTIONS:
            words = words[1:]
        if words:
            out.append(words)
    return out


def features(text: str) -> list[str]:
    """Named features of a question: what its clauses start with, plus a few whole-question cues."""
    parts = clauses(text)
    feats = ["bias"]
    if not parts:
        return feats
    starts = [p[0] for p in parts]
    first, last = parts[0], parts[-1]
    feats += [f"first:{first[0]}", f"first2:{' '.join(first[:2])}", f"last:{last[0]}"]
    for words in parts:
        feats += [f"clause:{words[0]}", f"clause2:{' '.join(words[:2])}"]
    aux_any = any(s in AUXILIARIES for s in starts)
    wh_any = any(s in WH_WORDS for s in starts)
    feats += [
        f"aux_first={first[0] in AUXILIARIES}",
        f"aux_any={aux_any}",
        f"wh_first={first[0] in WH_WORDS}",
        f"wh_any={wh_any}",
        f"wh_anywhere={any(w in WH_WORDS for p in parts for w in p)}",
        f"imperative_first={first[0] in IMPERATIVES}",
        f"or={' or ' in (' ' + text.lower() + ' ')}",
        f"ends_q={text.strip().endswith('?')}",
        f"clauses={min(len(parts), 3)}",
    ]
    if text.strip().endswith("?") and not aux_any and not wh_any:
        feats.append("elliptic_q")  # "X in sepsis: a safe alternative?"
    if aux_any and not wh_any:
        feats.append("aux_no_wh")
    return feats


def hashed(names: list[str], dimension: int) -> list[int]:
    """Feature names to column indices (crc32, stable across runs and platforms)."""
    return sorted({zlib.crc32(n.encode("utf-8")) % dimension for n in names})


@lru_cache(maxsize=2)
def _load(path: str) -> tuple[int, float, list[float], float]:
    data = json.loads(Path(path).read_text())
    return data["dimension"], data["intercept"], data["weights"], data.get("threshold", 0.5)


def yes_no_probability(text: str, weights_path: Path = WEIGHTS_PATH) -> float:
    """P(the question expects a yes or a no)."""
    dimension, intercept, weights, _ = _load(str(weights_path))
    z = intercept + sum(weights[i] for i in hashed(features(text), dimension))
    return 1.0 / (1.0 + math.exp(-z))


def is_yes_no_question(text: str, weights_path: Path = WEIGHTS_PATH) -> bool:
    _, _, _, threshold = _load(str(weights_path))
    return yes_no_probability(text, weights_path) >= threshold


def form_features(text: str) -> list[str]:
    """`features` plus what separates factoid, list and summary questions: the words of the first clause,
    the word after the wh-word, and whether the noun after it is plural ("Which growth factors ..." wants a
    list)."""
    parts = clauses(text)
    feats = features(text)
    if not parts:
        return feats
    first = parts[0]
    feats += [f"word:{w}" for w in first[:12]]
    for i, word in enumerate(first[:-1]):
        if word in WH_WORDS:
            following = first[i + 1 : i + 3]
            plural = any(w.endswith("s") and not w.endswith("ss") and w not in AUXILIARIES for w in following)
            feats += [f"wh_next:{following[0]}", f"wh_next_plural={plural}"]
            break
    return feats


@lru_cache(maxsize=2)
def _load_forms(path: str) -> tuple[int, list[str], list[float], list[list[float]]]:
    data = json.loads(Path(path).read_text())
    return data["dimension"], data["labels"], data["intercepts"], data["weights"]


def answer_form_scores(text: str, weights_path: Path = ANSWER_FORM_WEIGHTS) -> dict[str, float]:
    """P(factoid), P(list), P(summary) for a question that is not yes/no (softmax over the classes)."""
    dimension, labels, intercepts, weights = _load_forms(str(weights_path))
    columns = hashed(form_features(text), dimension)
    logits = [b + sum(row[i] for i in columns) for b, row in zip(intercepts, weights, strict=True)]
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    return {label: e / sum(exps) for label, e in zip(labels, exps, strict=True)}


def answer_form(text: str, weights_path: Path = ANSWER_FORM_WEIGHTS) -> str:
    """The most likely of "factoid", "list" and "summary" (callers decide yes/no first)."""
    scores = answer_form_scores(text, weights_path)
    return max(scores, key=lambda label: scores[label])
