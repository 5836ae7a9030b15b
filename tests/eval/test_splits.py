"""Which held-out questions ask about records the trained models already read (eval/splits.py)."""

from eval.splits import GATE_SIZE, split_of, training_documents, unseen_documents


def ids_in(split: str, count: int, start: int = 0) -> list[str]:
    """Synthetic BioASQ-style ids past the gate whose hashed split is `split`."""
    found, n = [], start
    while len(found) < count:
        qid = f"synthetic-{n}"
        if split_of(qid) == split:
            found.append(qid)
        n += 1
    return found


def file_with(questions: dict[str, list[str]]) -> dict[str, list[str]]:
    """The gate's questions (always test, gold never seen) followed by `questions`, in file order."""
    gate = {f"gate-{i}": [f"9{i:05d}"] for i in range(GATE_SIZE)}
    return gate | questions


def test_training_documents_are_the_gold_records_of_train_split_questions_only() -> None:
    (train,) = ids_in("train", 1)
    (validation,) = ids_in("validation", 1)
    (test,) = ids_in("test", 1)
    gold = file_with({train: ["101", "102"], validation: ["201"], test: ["301"]})
    assert training_documents(gold) == {"101", "102"}


def test_a_gate_question_is_test_so_its_gold_records_are_not_training_documents() -> None:
    (train,) = ids_in("train", 1)
    assert training_documents(file_with({train: ["101"]})) == {"101"}
    # the same question among the first GATE_SIZE of its file is test: the file order decides
    assert training_documents({train: ["101"]}) == set()


def test_a_question_is_unseen_only_when_none_of_its_gold_records_was_trained_on() -> None:
    seen = {"101", "102"}
    assert unseen_documents(["301", "302"], seen)
    assert not unseen_documents(["301", "102"], seen)
    assert unseen_documents([], seen)
