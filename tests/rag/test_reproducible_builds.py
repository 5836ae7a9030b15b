"""Two indexes of the same records, built in different steps, read and answer alike to the last digit: a
text's vector and a sentence's score do not depend on what was encoded beside them (README, "Vectors that do
not depend on their batch")."""

from pathlib import Path

from core.settings import Settings
from ingest.store import DocumentStore
from rag.pipeline import build_pipeline
from tests.conftest import CORPUS
from tests.rag.retrieve.retrieval_fixtures import extra_records, run_indexer, synthetic_records

QUESTIONS = [
    "Do exosomes from mesenchymal stem cells reduce scarring in the heart?",
    "Which tetraspanin identified the synthetic extracellular vesicles?",
    "Does hypoxia raise VEGF secretion by stem cells?",
]


def built_at_once(data_dir: Path) -> Settings:
    settings = Settings(_env_file=None, data_dir=data_dir, corpus_path=CORPUS)
    with DocumentStore(settings.store_path) as store:
        store.upsert(synthetic_records() + extra_records())
    run_indexer(settings)
    return settings


def built_in_steps(data_dir: Path) -> Settings:
    """Half the records first, then the rest after a lexical pass, as a growing store and `make run` build."""
    settings = Settings(_env_file=None, data_dir=data_dir, corpus_path=CORPUS)
    records = extra_records() + synthetic_records()
    with DocumentStore(settings.store_path) as store:
        store.upsert(records[::2])
    run_indexer(settings)
    with DocumentStore(settings.store_path) as store:
        store.upsert(records[1::2])
    run_indexer(settings, vectors=False)
    run_indexer(settings)
    return settings


def readings(settings: Settings) -> list[tuple]:
    """Per question: the retrieved records with their scores, and the answer with its citations and verdict."""
    pipeline = build_pipeline(settings)
    try:
        out = []
        for question in QUESTIONS:
            evidence = pipeline.searcher.search(question, k=5)
            answer = pipeline.answerer.ask(question, backend="extractive")
            out.append(
                (
                    [(e.pmid, e.score, e.relevance) for e in evidence],
                    answer.answer,
                    [c.pmid for c in answer.citations],
                    answer.verdict_probability,
                )
            )
        return out
    finally:
        pipeline.close()


def test_an_index_built_in_steps_answers_exactly_as_one_built_at_once(tmp_path):
    at_once = readings(built_at_once(tmp_path / "at-once"))
    in_steps = readings(built_in_steps(tmp_path / "in-steps"))
    assert at_once == in_steps
    assert all(answer and citations for _, answer, citations, _ in at_once)
