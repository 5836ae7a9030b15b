"""Polarity-flipped copies of verdict examples: the same context with one concluding sentence negated (or
un-negated) and the label flipped.

Why: trained on PubMedQA's ~300 conclusions, the verdict model learns which topics tend to be "yes" more
than what the conclusion says; a copy that differs only in "did not" teaches it to read the polarity.
Opt-in (`python -m train verdict-polarity`), not the shipped recipe; measured (README "Trained
models"): 5-fold out-of-fold over the train split's 624 yes/no questions, read as the answer stage reads
them, the copies lift PubMedQA AUC 0.617 -> 0.729 and move BioASQ 0.672 -> 0.648 (flipping BioASQ's gold
snippets as well cost BioASQ more: 0.603); through `secretome-qa eval`, validation 70 -> 73 of 105 right,
then held-out test 169 -> 168 of 239 (PubMedQA +6, BioASQ -7). Read beside the shipped model (logits
averaged), the same held-out figures: validation 70 -> 71, test 169 -> 168 (PubMedQA +4, BioASQ -5).
"""

import re
from collections.abc import Callable
from dataclasses import replace

from train.data import Pair

CONCLUDING_SENTENCES = 2

_PAST_TO_BASE = {
    "improved": "improve", "increased": "increase", "reduced": "reduce", "decreased": "decrease",
    "enhanced": "enhance", "inhibited": "inhibit", "promoted": "promote", "prevented": "prevent",
    "induced": "induce", "showed": "show", "demonstrated": "demonstrate", "suggested": "suggest",
    "affected": "affect", "attenuated": "attenuate", "alleviated": "alleviate", "protected": "protect",
    "predicted": "predict", "correlated": "correlate", "contributed": "contribute", "led": "lead",
    "caused": "cause", "resulted": "result", "changed": "change", "differed": "differ",
    "supported": "support", "confirmed": "confirm", "revealed": "reveal", "ameliorated": "ameliorate",
    "restored": "restore", "lowered": "lower", "raised": "raise",
}  # fmt: skip

Rewrite = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

# Tried in order; the first that matches the sentence negates it.
_NEGATE: list[Rewrite] = [
    (re.compile(r"\b(is|are|was|were)\b(?! not\b)(?= \w)"), lambda m: f"{m.group(1)} not"),
    (re.compile(r"\bcan\b(?! not\b)"), lambda m: "cannot"),
    (
        re.compile(r"\b(may|might|could|should|will|would|does|do|did)\b(?! not\b)(?= \w)"),
        lambda m: f"{m.group(1)} not",
    ),
    (re.compile(r"\b(has|have|had) (been|shown|a|an|the)\b"), lambda m: f"{m.group(1)} not {m.group(2)}"),
    (re.compile(r"\bsignificantly\b"), lambda m: "not significantly"),
    (re.compile(r"\b(" + "|".join(_PAST_TO_BASE) + r")\b"), lambda m: f"did not {_PAST_TO_BASE[m.group(1)]}"),
]

# Tried in order; the first that matches the sentence removes its negation.
_AFFIRM: list[Rewrite] = [
    (
        re.compile(r"\b(is|are|was|were|may|might|could|should|will|would|does|do|did|has|have|had) not\b"),
        lambda m: m.group(1),
    ),
    (re.compile(r"\bcannot\b"), lambda m: "can"),
    (re.compile(r"\bno (statistically )?significant\b"), lambda m: f"a {m.group(1) or ''}significant"),
    (re.compile(r"\bnot (significantly|associated|effective|related|correlated)\b"), lambda m: m.group(1)),
    (re.compile(r"\bfailed to\b"), lambda m: "was able to"),
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z0-9]{4,}")


def rewrite_sentence(sentence: str, rewrites: list[Rewrite]) -> str | None:
    """The sentence with the first matching rewrite applied once, or None when none applies."""
    for pattern, replacement in rewrites:
        match = pattern.search(sentence)
        if match:
            return sentence[: match.start()] + replacement(match) + sentence[match.end() :]
    return None


def flipped(pair: Pair) -> Pair | None:
    """The pair with the polarity of one of its last sentences flipped (of those sharing a word with the
    question, the one sharing most) and the opposite label; None when no such sentence has a form the
    rules know, so that a flipped sentence is always one that speaks to the question."""
    sentences = [s for s in _SENTENCE_END.split(pair.text) if s]
    question_words = set(_WORD.findall(pair.query.lower()))
    last = range(max(0, len(sentences) - CONCLUDING_SENTENCES), len(sentences))
    overlap = {i: len(question_words & set(_WORD.findall(sentences[i].lower()))) for i in last}
    order = sorted((i for i in last if overlap[i]), key=lambda i: -overlap[i])
    rewrites = _NEGATE if pair.label >= 0.5 else _AFFIRM
    for i in order:
        new = rewrite_sentence(sentences[i], rewrites)
        if new is not None:
            text = " ".join([*sentences[:i], new, *sentences[i + 1 :]])
            return replace(pair, text=text, label=1.0 - pair.label)
    return None
