"""Train / validation / test split of question ids, so no score is reported on data a model was fitted
or tuned on.

The rule is a pure function of the id (sha256), so every tool agrees on it without a stored list:
BioASQ-style ids go 70/10/20 to train/validation/test; PubMedQA ids (prefix ``pqa-``) go 80/20 to
train/test, with validation carved out of the train share (70/10/20 again, by the same hash buckets).
One exception: the first ``GATE_SIZE`` questions of ``bioasq-dev.jsonl`` in file order are what the CI
gate evaluates, so they are always test; use :func:`splits_for` on the file's questions to honour it.
"""

import hashlib
from collections.abc import Iterable, Mapping
from typing import Literal

Split = Literal["train", "validation", "test"]
SPLITS: tuple[Split, ...] = ("train", "validation", "test")
GATE_SIZE = 200
PUBMEDQA_PREFIX = "pqa-"


def bucket(question_id: str) -> int:
    """A stable number in [0, 100) from the id; sha256 so it does not depend on PYTHONHASHSEED."""
    digest = hashlib.sha256(question_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 100


def split_of(question_id: str) -> Split:
    """The hashed split of one id (without the gate rule: see :func:`splits_for`).

    Both families use buckets 0-69 train, 70-79 validation, 80-99 test; for PubMedQA that is the
    80/20 train/test split with validation taken from the train share."""
    b = bucket(question_id)
    if b < 70:
        return "train"
    if b < 80:
        return "validation"
    return "test"


def splits_for(questions: Iterable[Mapping | str], gate_size: int = GATE_SIZE) -> dict[str, Split]:
    """Split per id for a question list in file order: the first ``gate_size`` BioASQ questions
    (ids not starting with ``pqa-``) are test whatever their hash, the rest follow :func:`split_of`.

    Pass the questions of one file in that file's order (dicts with an ``id`` or bare ids)."""
    result: dict[str, Split] = {}
    gated = 0
    for item in questions:
        qid = item if isinstance(item, str) else str(item["id"])
        if not qid.startswith(PUBMEDQA_PREFIX) and gated < gate_size:
            gated += 1
            result[qid] = "test"
        else:
            result[qid] = split_of(qid)
    return result


def select(questions: Iterable[Mapping], split: Split, gate_size: int = GATE_SIZE) -> list[Mapping]:
    """The questions of one split, in their order (the gate rule applied)."""
    questions = list(questions)
    assigned = splits_for(questions, gate_size)
    return [q for q in questions if assigned[str(q["id"])] == split]


def training_documents(gold_by_id: Mapping[str, Iterable[str]], gate_size: int = GATE_SIZE) -> set[str]:
    """The gold records of a file's train-split questions (pass them in file order, as to `splits_for`).

    The trained models learnt from those records' text (the relevance cross-encoder and the answer tagger
    from their sentences, the sentence selector from which records were gold), and BioASQ asks several
    questions about the same papers: a test question whose gold record is one of these is held out as a
    question but not as evidence."""
    assigned = splits_for(list(gold_by_id), gate_size)
    return {pmid for qid, gold in gold_by_id.items() if assigned[qid] == "train" for pmid in gold}


def unseen_documents(gold: Iterable[str], seen: set[str]) -> bool:
    """True when none of a question's gold records is in `seen` (`training_documents`)."""
    return seen.isdisjoint(gold)
