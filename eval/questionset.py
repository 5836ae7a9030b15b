"""Question sets in the JSON Lines format of `../shared/eval/FORMAT.md`, loaded strictly.

A question set is the yardstick every score is measured against, so a malformed line stops the run with
the file and line number instead of silently shrinking the set.
"""

import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import InputError, ParseError

CURATED_SET = Path(__file__).parent / "questions" / "secretome.jsonl"


class Question(BaseModel):
    """One evaluation question with what a correct answer must show."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    question: str = Field(min_length=3)
    category: str = Field(min_length=1, description="mechanisms, sources, trials, regulatory, bioasq-<type>, ...")
    answerable: bool
    gold_pmids: list[str] = Field(default_factory=list, description="Records that answer the question.")
    key_facts: list[list[str]] = Field(default_factory=list, description="Each fact: alternative phrasings.")
    ideal_answer: str | None = None
    exact_answer: Literal["yes", "no"] | None = None

    @field_validator("question", "category", "id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("gold_pmids")
    @classmethod
    def _pmids_are_digits(cls, value: list[str]) -> list[str]:
        bad = [p for p in value if not (isinstance(p, str) and p.isdigit())]
        if bad:
            raise ValueError(f"PMIDs must be strings of digits, got {bad[:3]}")
        if len(set(value)) != len(value):
            raise ValueError("gold_pmids lists a PMID twice")
        return value

    @field_validator("key_facts")
    @classmethod
    def _facts_have_phrasings(cls, value: list[list[str]]) -> list[list[str]]:
        for index, fact in enumerate(value):
            if not fact or any(not phrase.strip() for phrase in fact):
                raise ValueError(f"key fact {index} needs at least one non-blank phrasing")
        return value

    @model_validator(mode="after")
    def _unanswerable_has_no_answer(self) -> "Question":
        if not self.answerable and (self.key_facts or self.exact_answer):
            raise ValueError("an unanswerable question cannot have key_facts or an exact_answer")
        return self


@dataclass(frozen=True)
class QuestionSet:
    """The questions of one file, in file order."""

    path: Path
    questions: list[Question]

    def __len__(self) -> int:
        return len(self.questions)

    @property
    def name(self) -> str:
        return self.path.stem

    def category_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(q.category for q in self.questions).items()))

    def summary(self) -> dict[str, object]:
        """What the report says about the set it ran on."""
        return {
            "file": str(self.path),
            "name": self.name,
            "count": len(self.questions),
            "answerable": sum(q.answerable for q in self.questions),
            "unanswerable": sum(not q.answerable for q in self.questions),
            "yesno": sum(q.exact_answer is not None for q in self.questions),
            "by_category": self.category_counts(),
        }


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "line"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {error['msg']}{more}"


def parse_question_line(line: str, origin: str) -> Question:
    """Parse one JSON line; `origin` ("file:line") goes into any error message."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{origin}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise ParseError(f"{origin}: expected a JSON object, got {type(data).__name__}")
    try:
        return Question.model_validate(data)
    except ValidationError as exc:
        raise ParseError(f"{origin}: {_first_error(exc)}") from exc


def load_questions(path: Path, limit: int | None = None) -> QuestionSet:
    """Read and validate a question set; the first `limit` questions when given.

    Raises:
        InputError: the file is missing or holds no question, or `limit` is below 1.
        ParseError: a line is not valid JSON, breaks the format, or repeats an id (file and line named).
    """
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, got {limit}")
    if not path.is_file():
        raise InputError(f"question set {path} does not exist")
    questions: list[Question] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            question = parse_question_line(line, f"{path}:{number}")
            if question.id in seen:
                raise ParseError(f"{path}:{number}: id {question.id!r} already used on line {seen[question.id]}")
            seen[question.id] = number
            questions.append(question)
            if limit is not None and len(questions) >= limit:
                break
    if not questions:
        raise InputError(f"question set {path} holds no question")
    return QuestionSet(path=path, questions=questions)


def stratified_sample(question_set: QuestionSet, limit: int, seed: int = 0) -> QuestionSet:
    """`limit` questions drawn with `seed`, spread over (category, answerable) strata like the whole set.

    Each stratum gets its proportional share (largest remainders first); when `limit` allows, every stratum
    gets at least one question, so a small run still holds unanswerable questions and every category.
    Questions keep their file order. The whole set comes back when `limit` covers it.

    Raises:
        InputError: `limit` is below 1.
    """
    if limit < 1:
        raise InputError(f"--limit must be at least 1, got {limit}")
    questions = question_set.questions
    if limit >= len(questions):
        return question_set
    strata: dict[tuple[str, bool], list[int]] = {}
    for index, question in enumerate(questions):
        strata.setdefault((question.category, question.answerable), []).append(index)
    keys = sorted(strata, key=lambda k: (k[0], k[1]))
    shares = {k: limit * len(strata[k]) / len(questions) for k in keys}
    quota = {k: int(shares[k]) for k in keys}
    if limit >= len(keys):
        for k in keys:
            quota[k] = max(quota[k], 1)
    while sum(quota.values()) > limit:  # minimums overshot: take back from the largest quotas
        biggest = max((k for k in keys if quota[k] > 1), key=lambda k: (quota[k] - shares[k], quota[k]))
        quota[biggest] -= 1
    for k in sorted(keys, key=lambda k: shares[k] - int(shares[k]), reverse=True):
        if sum(quota.values()) >= limit:
            break
        if quota[k] < len(strata[k]):
            quota[k] += 1
    while sum(quota.values()) < limit:  # rounding left room and the remainders were all full
        k = max((k for k in keys if quota[k] < len(strata[k])), key=lambda k: len(strata[k]) - quota[k])
        quota[k] += 1
    rng = random.Random(seed)
    chosen = sorted(i for k in keys for i in rng.sample(strata[k], min(quota[k], len(strata[k]))))
    return QuestionSet(path=question_set.path, questions=[questions[i] for i in chosen])
