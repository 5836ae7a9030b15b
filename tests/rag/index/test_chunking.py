"""Chunking: one unit for short records, sections then sentence windows for long ones, metadata on each."""

import itertools

from ingest.records import AbstractSection, MeshHeading, PubMedRecord
from rag.index.chunking import ChunkingParams, chunk_record, sections
from rag.text import split_prose as sentences

PARAMS = ChunkingParams(max_words=40, overlap_sentences=1)


def synthetic_sentence(i: int) -> str:
    return f"Synthetic sentence number {i} describes a made-up secretome finding in eight words."


def record(**fields) -> PubMedRecord:
    base = {
        "pmid": "91000001",
        "title": "Synthetic record about stem cell secretomes",
        "abstract": "Synthetic abstract: conditioned medium raised VEGF.",
        "year": 2021,
        "journal": "Synthetic Journal",
        "pub_types": ["Randomized Controlled Trial"],
        "mesh": [MeshHeading(descriptor="Secretome")],
        "trial_ids": ["NCT00000000"],
        "sources": ["synthetic"],
        "abstract_complete": True,
    }
    return PubMedRecord(**{**base, **fields})


def test_short_record_is_one_chunk_with_all_metadata():
    [chunk] = chunk_record(record(), PARAMS)
    assert chunk.chunk_id == "91000001:0"
    assert chunk.text == "Synthetic abstract: conditioned medium raised VEGF."
    assert chunk.embed_text.startswith("Synthetic record about stem cell secretomes\n")
    assert (chunk.year, chunk.journal, chunk.pub_types) == (2021, "Synthetic Journal", ["Randomized Controlled Trial"])
    assert chunk.mesh == ["Secretome"] and chunk.trial_ids == ["NCT00000000"]
    assert chunk.sources == ["synthetic"] and chunk.abstract_complete and not chunk.retracted


def test_retracted_flag_travels_with_the_chunk():
    [chunk] = chunk_record(record(retraction_in=["91000002"]), PARAMS)
    assert chunk.retracted


def test_long_unstructured_abstract_splits_into_overlapping_windows():
    text = " ".join(synthetic_sentence(i) for i in range(12))
    chunks = chunk_record(record(abstract=text), PARAMS)
    assert len(chunks) > 2
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert all(len(c.text.split()) <= PARAMS.max_words for c in chunks)
    for before, after in itertools.pairwise(chunks):
        assert sentences(before.text)[-1] == sentences(after.text)[0]
    covered = {s for c in chunks for s in sentences(c.text)}
    assert covered == set(sentences(text))


def test_structured_abstract_splits_at_sections_and_labels_them():
    parts = [
        AbstractSection(label="BACKGROUND", text=" ".join(synthetic_sentence(i) for i in range(2))),
        AbstractSection(label="METHODS", text=" ".join(synthetic_sentence(i) for i in range(2, 4))),
        AbstractSection(label="RESULTS", text=" ".join(synthetic_sentence(i) for i in range(4, 10))),
        AbstractSection(label="CONCLUSIONS", text=synthetic_sentence(10)),
    ]
    abstract = " ".join(f"{p.label}: {p.text}" for p in parts)
    chunks = chunk_record(record(abstract=abstract, abstract_sections=parts), PARAMS)
    assert chunks[0].section == "BACKGROUND"
    assert chunks[0].text.startswith("BACKGROUND: Synthetic sentence number 0")
    assert {"RESULTS", "CONCLUSIONS"} <= {c.section for c in chunks}
    results = [c for c in chunks if c.section == "RESULTS"]
    assert len(results) >= 2, "an over-long section is windowed on its own"


def test_short_neighbouring_sections_share_a_chunk():
    parts = [AbstractSection(label=label, text=synthetic_sentence(i)) for i, label in enumerate(["AIMS", "METHODS"])]
    long_tail = AbstractSection(label="RESULTS", text=" ".join(synthetic_sentence(i) for i in range(2, 9)))
    abstract = " ".join(f"{p.label}: {p.text}" for p in [*parts, long_tail])
    chunks = chunk_record(record(abstract=abstract, abstract_sections=[*parts, long_tail]), PARAMS)
    assert chunks[0].section == "AIMS+METHODS"


def test_inline_labels_are_read_when_no_structure_was_parsed():
    abstract = "OBJECTIVE: Synthetic aim. METHODS: Synthetic design. RESULTS: Synthetic numbers. CONCLUSIONS: Synthetic."
    assert [label for label, _ in sections(record(abstract=abstract))] == ["OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]


def test_title_only_record_is_chunked_from_its_title():
    [chunk] = chunk_record(record(title="Synthetic title-only record", abstract=""), PARAMS)
    assert chunk.text == "Synthetic title-only record"
    assert chunk.embed_text == "Synthetic title-only record"


def test_empty_record_has_no_chunks():
    assert chunk_record(record(title="", abstract=""), PARAMS) == []


def test_chunking_is_deterministic():
    text = " ".join(synthetic_sentence(i) for i in range(9))
    first = [c.chunk_id + c.text for c in chunk_record(record(abstract=text), PARAMS)]
    assert first == [c.chunk_id + c.text for c in chunk_record(record(abstract=text), PARAMS)]
