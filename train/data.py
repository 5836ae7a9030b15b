"""Pure builders of training and evaluation examples from questions and records (dicts shaped like
../shared: records with pmid/title/abstract, questions with id/question/category/gold_pmids/...).

Nothing here reads files or a model; the randomness comes from the ``random.Random`` passed in."""

import random
import re
from dataclasses import dataclass

from rag.models.text import passage, tail
from rag.text import split_sentences

MIN_SENTENCE_CHARS = 25
MAX_SENTENCE_CHARS = 600
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "did",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "that",
        "this",
        "to",
        "was",
        "were",
        "what",
        "which",
        "who",
        "why",
        "with",
    ]
)


@dataclass(frozen=True)
class Pair:
    """One (query, text) example; ``kind`` is "sentence" or "passage"."""

    query: str
    text: str
    label: float
    kind: str = "sentence"


def usable_sentences(text: str) -> list[str]:
    """Sentences long enough to carry a fact and short enough to fit the model."""
    sentences = (s.text for s in split_sentences(text))
    return [s for s in sentences if MIN_SENTENCE_CHARS <= len(s) <= MAX_SENTENCE_CHARS]


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def hardest_sentence(question: str, sentences: list[str]) -> str | None:
    """The sentence sharing most content words with the question (first one on ties): a hard negative
    when it comes from a record that does not answer the question."""
    if not sentences:
        return None
    words = content_words(question)
    return max(sentences, key=lambda s: len(words & content_words(s)))


def record_passage(record: dict) -> str:
    return passage(record.get("title", ""), record.get("abstract", ""))


def relevance_pairs(
    question: str,
    gold: list[dict],
    hard: list[dict],
    random_records: list[dict],
    rng: random.Random,
    *,
    positive_sentences: int = 2,
    hard_sentences: int = 2,
    random_sentences: int = 1,
    passages: bool = True,
) -> list[Pair]:
    """Training pairs for one question.

    Args:
        gold: the question's gold records (their expert snippets are the positives).
        hard: top BM25 records that are not gold, best first (hard negatives).
        random_records: a few random non-gold records (easy negatives).
    """
    pairs: list[Pair] = []
    gold_sents = [s for r in gold for s in usable_sentences(r.get("abstract", ""))]
    for s in rng.sample(gold_sents, min(positive_sentences, len(gold_sents))):
        pairs.append(Pair(question, s, 1.0))
    pool = hard[:10]
    for record in rng.sample(pool, min(hard_sentences, len(pool))):
        s = hardest_sentence(question, usable_sentences(record.get("abstract", "")))
        if s:
            pairs.append(Pair(question, s, 0.0))
    for record in random_records[:random_sentences]:
        sents = usable_sentences(record.get("abstract", ""))
        if sents:
            pairs.append(Pair(question, rng.choice(sents), 0.0))
    if passages and gold:
        pairs.append(Pair(question, record_passage(rng.choice(gold)), 1.0, "passage"))
        if hard:
            pairs.append(Pair(question, record_passage(rng.choice(hard[:5])), 0.0, "passage"))
    return pairs


@dataclass(frozen=True)
class Candidates:
    """A ranking problem for evaluation: texts with 0/1 labels (and a baseline score per text)."""

    question: str
    texts: list[str]
    labels: list[int]
    baseline: list[float] | None = None


def sentence_candidates(
    question: str,
    gold: list[dict],
    hard: list[dict],
    random_records: list[dict],
    rng: random.Random,
    *,
    max_positives: int = 5,
    hard_negatives: int = 10,
) -> Candidates | None:
    """Gold sentences against the hardest sentence of each top BM25 non-gold record and one random
    sentence per random record; None when the question has no usable gold sentence."""
    gold_sents = [s for r in gold for s in usable_sentences(r.get("abstract", ""))]
    if not gold_sents:
        return None
    positives = rng.sample(gold_sents, min(max_positives, len(gold_sents)))
    negatives = [hardest_sentence(question, usable_sentences(r.get("abstract", ""))) for r in hard[:hard_negatives]]
    for record in random_records:
        sents = usable_sentences(record.get("abstract", ""))
        if sents:
            negatives.append(rng.choice(sents))
    negatives = [s for s in negatives if s and s not in positives]
    return Candidates(question, positives + negatives, [1] * len(positives) + [0] * len(negatives))


def yes_no_label(question: dict) -> int | None:
    answer = question.get("exact_answer") or ""
    answer = answer.strip().lower() if isinstance(answer, str) else ""
    return {"yes": 1, "no": 0}.get(answer)


def gold_text(question: dict, records: dict[str, dict]) -> str:
    """The gold records' text joined in gold order (for BioASQ: the expert snippets)."""
    return " ".join(records[p]["abstract"] for p in question.get("gold_pmids", []) if p in records)


def verdict_examples(question: dict, records: dict[str, dict], *, augment: bool = True) -> list[Pair]:
    """(question, context) -> yes(1)/no(0) examples, context cut to its tail as at inference.

    PubMedQA: the conclusion (``ideal_answer``), plus, as augmentation, the tail of the abstract.
    BioASQ: the gold snippets."""
    label = yes_no_label(question)
    if label is None:
        return []
    text = question["question"]
    if str(question["id"]).startswith("pqa-"):
        out = [Pair(text, tail(question.get("ideal_answer") or ""), float(label))]
        if augment:
            abstract = gold_text(question, records)
            if abstract:
                out.append(Pair(text, tail(abstract), float(label)))
        return [p for p in out if p.text]
    context = tail(gold_text(question, records))
    return [Pair(text, context, float(label))] if context else []


def ranked_context(sentences: list[str], scores: list[float], top: int = 3) -> str:
    """The ``top`` best-scored sentences, kept in their original order and cut to the verdict tail:
    what the answer stage hands the verdict model."""
    order = sorted(range(len(sentences)), key=lambda i: -scores[i])[:top]
    return tail(" ".join(sentences[i] for i in sorted(order)))


def answer_phrase_spans(sentence: str, phrases: list[str]) -> list[tuple[int, int]]:
    """Where the answer's phrasings occur in the sentence, as (start, end) characters: whole words only,
    case-insensitive, longest phrasing first, never overlapping."""
    taken: list[tuple[int, int]] = []
    for phrase in sorted({p.strip() for p in phrases if p and p.strip()}, key=len, reverse=True):
        for match in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", sentence, re.IGNORECASE):
            start, end = match.span()
            if all(end <= s or start >= e for s, e in taken):
                taken.append((start, end))
    return sorted(taken)


def tag_tokens(offsets: list[tuple[int, int]], sequence_ids: list[int | None], spans: list[tuple[int, int]]) -> list[int]:
    """Token tags for the answer tagger: 1 for a span's first token, 2 for its other tokens, 0 outside,
    -100 (ignored by the loss) for the question and special tokens."""
    tags = []
    for (start, end), sequence in zip(offsets, sequence_ids, strict=True):
        if sequence != 1 or end <= start:
            tags.append(-100)
            continue
        tag = 0
        for span_start, span_end in spans:
            if span_start <= start < span_end:
                tag = 1 if start == span_start else 2
                break
        tags.append(tag)
    return tags
