"""Yes/no examples made from BioASQ factoid and list questions: "<question>: is it <answer>?" (a list question:
"is <answer> one of them?") over the gold snippets is a "yes", and the same with another entity those snippets
name is a "no".

Why: the verdict model has ~600 labelled yes/no pairs, and it learned which topics tend to be "yes" more than
what the evidence says; on the team's questions it answers "yes" to nearly every "no". Many of those "no"
questions name a premise the evidence contradicts (another factor, protein or source than the one the record
names), so a pair that differs only in the entity asked about, over the same context, teaches the model to read
which entity the evidence attaches to the question. The distractor is an answer phrase of another BioASQ factoid
or list question (a vocabulary of real biomedical entities) that the context itself names, so mentioning it is
not enough to say "yes". Opt-in recipe (`python -m train verdict-factoid`); measured in `docs/experiments.md`.
"""

import random
import re
from collections.abc import Iterable

from rag.models.text import tail
from train.data import Pair, usable_sentences

ENTITY_TYPES = ("bioasq-factoid", "bioasq-list")
MIN_CHARS = 4
MAX_CHARS = 40
# A phrase named by more records than this share of the corpus is a common word ("clinical", "oral"), not an
# entity whose swap makes a plausible wrong answer.
MAX_DOCUMENT_SHARE = 0.005
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def normalised(phrase: str) -> str:
    """Spelling apart: "KRAS G12C" and "KRASG12C" are one answer."""
    return _NOT_ALNUM.sub("", phrase.lower())


def names(text: str, phrase: str) -> bool:
    """The phrase stands in the text as whole words (case-insensitive)."""
    return re.search(r"(?<![A-Za-z0-9])" + re.escape(phrase) + r"(?![A-Za-z0-9])", text, re.IGNORECASE) is not None


def entity_vocabulary(questions: Iterable[dict]) -> set[str]:
    """Answer phrasings of factoid and list questions, of a length an entity has."""
    return {
        phrase
        for q in questions
        if q.get("category") in ENTITY_TYPES
        for fact in q.get("key_facts") or []
        for phrase in fact
        if MIN_CHARS <= len(phrase) <= MAX_CHARS
    }


def common_phrases(vocabulary: set[str], texts: Iterable[str], max_share: float = MAX_DOCUMENT_SHARE) -> set[str]:
    """Vocabulary phrases that more than `max_share` of the texts contain (lower-cased substring count)."""
    lowered = [p.lower() for p in vocabulary]
    counts = dict.fromkeys(lowered, 0)
    total = 0
    for text in texts:
        total += 1
        low = text.lower()
        for phrase in lowered:
            if phrase in low:
                counts[phrase] += 1
    return {p for p in vocabulary if counts[p.lower()] > max_share * max(total, 1)}


def contrast_pairs(question: dict, context_text: str, vocabulary: set[str], rng: random.Random) -> list[Pair]:
    """The "yes" and the "no" example of one factoid question, or none when its single answer is not named by the
    context or no distractor is. The context is the first sentence naming the answer and the first naming the
    distractor (one sentence when it names both), in order, cut to the verdict's tail; both examples read it."""
    facts = question.get("key_facts") or []
    kind = question.get("category")
    if not (kind == "bioasq-factoid" and len(facts) == 1 or kind == "bioasq-list" and len(facts) > 1):
        return []
    answers = [a for fact in facts for a in fact if names(context_text, a)]
    if not answers:
        return []
    answer = answers[0]
    taken = {normalised(a) for fact in facts for a in fact}
    asked = question["question"]
    distractors = sorted(
        p
        for p in vocabulary
        if names(context_text, p)
        and not names(asked, p)
        and not any(normalised(p) in t or t in normalised(p) for t in taken)
    )
    if not distractors:
        return []
    distractor = rng.choice(distractors)
    sentences = usable_sentences(context_text)
    first = [next((i for i, s in enumerate(sentences) if names(s, phrase)), None) for phrase in (answer, distractor)]
    if None in first:
        return []
    context = tail(" ".join(sentences[i] for i in sorted(set(first))))
    if not (names(context, answer) and names(context, distractor)):
        return []
    stem = asked.strip().rstrip("?").strip()
    ask = "is it {}?" if kind == "bioasq-factoid" else "is {} one of them?"
    return [
        Pair(f"{stem}: {ask.format(answer)}", context, 1.0),
        Pair(f"{stem}: {ask.format(distractor)}", context, 0.0),
    ]
