"""Sentence vectors at index time: the indexer embeds every sentence an answer may quote, so answering encodes
none of them (on this small index the answer is word for word what it was)."""

import pytest

from core.settings import Settings
from ingest.records import PubMedRecord
from rag.answer.extractive import candidate_sentences
from rag.index.chunking import Chunk, ChunkingParams, chunk_record
from rag.index.indexer import Indexer
from rag.index.manifest import read_manifest
from rag.index.sentence_vectors import answer_sentences
from rag.pipeline import build_pipeline
from rag.text import title_sentence
from rag.types import Evidence, Passage
from tests.rag.retrieve.retrieval_fixtures import synthetic_settings

QUESTION = "Do mesenchymal stem cell exosomes reduce scarring in the heart?"
SMALL_WINDOWS = ChunkingParams(max_words=40, overlap_sentences=1)


def synthetic(pmid: str, abstract: str, *, complete: bool = True) -> PubMedRecord:
    return PubMedRecord(
        pmid=pmid,
        title=f"Synthetic record {pmid} shows invented vesicles calm made-up inflammation",
        abstract=abstract,
        abstract_complete=complete,
    )


def numbered_sentences(n: int) -> str:
    return " ".join(f"Synthetic finding number {i} held in an imaginary mouse model of disease." for i in range(n))


def as_evidence(chunks: list[Chunk]) -> Evidence:
    """The record as retrieval hands it to the answer stage: its chunks as passages."""
    head = chunks[0]
    passages = [Passage(chunk_id=c.chunk_id, text=c.text, section=c.section, score=0.0) for c in chunks]
    return Evidence(
        pmid=head.pmid,
        title=head.title,
        abstract_complete=head.abstract_complete,
        score=1.0,
        relevance=0.5,
        passages=passages,
    )


@pytest.mark.parametrize(
    "record",
    [
        synthetic("93000001", numbered_sentences(12)),
        synthetic("93000002", "RESULTS: Synthetic vesicles lowered IL-6 in made-up mice. CONCLUSIONS: They may help."),
        synthetic("93000003", numbered_sentences(3) + " Synthetic tail cut off before its", complete=False),
        synthetic("93000004", "Synthetic conclusions of a made-up study cut off before their full", complete=False),
        synthetic("93000005", numbered_sentences(2) + " Synthetic results of the made-up study showed that vesicles cut",
                  complete=False),
    ],
    ids=["overlapping windows", "structured", "cut-off tail", "no complete sentence", "long cut-off tail"],
)
def test_every_sentence_an_answer_may_quote_is_embedded(record):
    chunks = chunk_record(record, SMALL_WINDOWS)
    quoted = {c.text for c in candidate_sentences([as_evidence(chunks)])}
    assert title_sentence(record.title) in quoted  # the record ranked first offers its title
    assert quoted and quoted <= set(answer_sentences(chunks))


def test_a_sentence_shared_by_overlapping_windows_is_embedded_once():
    chunks = chunk_record(synthetic("93000001", numbered_sentences(12)), SMALL_WINDOWS)
    assert len(chunks) > 1
    texts = answer_sentences(chunks)
    assert len(texts) == len(set(texts)) == 13  # twelve sentences and the title, which states a finding


def test_a_partial_abstract_gives_its_title_and_its_cut_tail_only_when_long_enough_to_quote():
    record = synthetic("93000004", "Synthetic conclusions of a made-up study cut off before their full", complete=False)
    assert answer_sentences(chunk_record(record, SMALL_WINDOWS)) == [
        "Synthetic conclusions of a made-up study cut off before their full […]", title_sentence(record.title),
    ]
    with_sentences = synthetic("93000003", numbered_sentences(2) + " Synthetic tail cut off before its", complete=False)
    texts = answer_sentences(chunk_record(with_sentences, SMALL_WINDOWS))
    assert len(texts) == 3 and not any("tail" in t for t in texts) and title_sentence(with_sentences.title) in texts
    noun_phrase = with_sentences.model_copy(update={"title": "Synthetic stromal cell lines"})
    texts = answer_sentences(chunk_record(noun_phrase, SMALL_WINDOWS))
    assert len(texts) == 2 and "Synthetic stromal cell lines" not in texts


def without_sentence_vectors(settings: Settings) -> Settings:
    return settings.model_copy(update={"index": settings.index.model_copy(update={"sentence_vectors": False})})


def ask_counting_encodes(settings: Settings) -> tuple[str, int, int]:
    """The extractive answer's text, and how many texts answering encoded / read from the cache.

    The first ask also embeds what a process embeds once (the router's category prototypes); the second counts."""
    pipeline = build_pipeline(settings)
    try:
        pipeline.answerer.ask(QUESTION, backend="extractive")
        stats = pipeline.embeddings.stats
        encoded, cached = stats.encoded, stats.cached
        answer = pipeline.answerer.ask(QUESTION, backend="extractive")
        assert not answer.refused
        return answer.answer, stats.encoded - encoded, stats.cached - cached
    finally:
        pipeline.close()


def test_answers_read_the_stored_sentence_vectors_instead_of_encoding(tmp_path):
    plain = without_sentence_vectors(synthetic_settings(tmp_path / "plain"))
    summary = Indexer(plain).run(show_progress=False)
    assert summary.sentences_encoded == 0 and not read_manifest(plain.index_dir).sentence_vectors
    text_before, encoded_before, _ = ask_counting_encodes(plain)
    assert encoded_before > 0

    stored = synthetic_settings(tmp_path / "stored")
    summary = Indexer(stored).run(show_progress=False)
    assert summary.sentences_encoded > 0 and read_manifest(stored.index_dir).sentence_vectors
    text_after, encoded_after, cached_after = ask_counting_encodes(stored)
    assert (encoded_after, cached_after) == (0, encoded_before)
    assert text_after == text_before


def test_an_index_built_without_sentence_vectors_gets_them_on_the_next_run(tmp_path):
    settings = synthetic_settings(tmp_path / "data")
    Indexer(without_sentence_vectors(settings)).run(show_progress=False)
    summary = Indexer(settings).run(show_progress=False)
    assert (summary.new, summary.changed, summary.chunks_encoded) == (0, 0, 0)
    assert summary.sentences_encoded > 0 and read_manifest(settings.index_dir).sentence_vectors
    _, encoded, _ = ask_counting_encodes(settings)
    assert encoded == 0
    assert Indexer(settings).run(show_progress=False).sentences_encoded == 0
