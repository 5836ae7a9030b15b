"""A saved and reloaded BM25 index reads back the chunks, ids and filter masks it was built with."""

import json
from dataclasses import asdict

import numpy as np
import pytest

from rag.index.bm25_index import CHUNKS_FILE, BM25Index, row_chunk_id
from rag.index.chunking import Chunk
from rag.types import SearchFilters

CHUNKS = [
    Chunk(
        pmid="93100001",
        index=0,
        title="Synthetic IL-6 trial",
        text="Invented IL-6 levels fell in made-up patients.",
        year=2019,
        pub_types=["Clinical Trial"],
        trial_ids=["NCT99999901"],
        sources=["synthetic-trials"],
    ),
    Chunk(
        pmid="93100001",
        index=1,
        title="Synthetic IL-6 trial",
        text="Fictional follow-up of the invented IL-6 cohort.",
        year=2019,
        pub_types=["Clinical Trial"],
        trial_ids=["NCT99999901"],
        sources=["synthetic-trials"],
    ),
    Chunk(pmid="93100002", index=0, text="A made-up TGF-β1 assay with no year.", sources=["synthetic"]),
    Chunk(
        pmid="93100003",
        index=0,
        title="Imaginary retracted vesicles",
        text="Synthetic CD63 vesicles carried miR-21 cargo.",
        year=2012,
        pub_types=["Journal Article", "Retracted Publication"],
        retracted=True,
        sources=["synthetic"],
    ),
]

FILTERS = [
    None,
    SearchFilters(),
    SearchFilters(year_from=2015),
    SearchFilters(year_to=2015),
    SearchFilters(has_trial_id=True),
    SearchFilters(has_trial_id=False),
    SearchFilters(exclude_retracted=True),
    SearchFilters(pub_types=["clinical trial"]),
    SearchFilters(sources=["SYNTHETIC"], exclude_retracted=True),
]


@pytest.fixture
def built_and_loaded(tmp_path):
    built = BM25Index.build(CHUNKS)
    built.save(tmp_path / "bm25")
    return built, BM25Index.load(tmp_path / "bm25")


def test_loaded_table_reads_back_the_built_chunks_and_ids(built_and_loaded):
    built, loaded = built_and_loaded
    assert len(loaded.table) == len(CHUNKS)
    assert [loaded.table[row] for row in reversed(range(len(CHUNKS)))] == CHUNKS[::-1], "rows read out of order"
    assert list(loaded.table) == CHUNKS == list(built.table)
    assert loaded.table.row_of == built.table.row_of == {c.chunk_id: i for i, c in enumerate(CHUNKS)}
    assert loaded.table.ids_of == built.table.ids_of
    assert loaded.table.ids_of["93100001"] == ["93100001:0", "93100001:1"]


@pytest.mark.parametrize("filters", FILTERS)
def test_loaded_table_masks_like_the_built_one(built_and_loaded, filters):
    built, loaded = built_and_loaded
    want, got = built.table.mask(filters), loaded.table.mask(filters)
    assert (want is None) == (got is None)
    if want is not None:
        assert np.array_equal(want, got)
    for query in ["IL-6 patients", "synthetic vesicles miR-21"]:
        assert loaded.search(query, 10, got) == built.search(query, 10, want)


def test_chunk_id_of_a_row_in_another_key_order():
    chunk = CHUNKS[1]
    row = json.dumps(dict(reversed(asdict(chunk).items()))).encode()
    assert row_chunk_id(row) == chunk.chunk_id
    assert row_chunk_id(json.dumps(asdict(chunk), separators=(",", ":")).encode()) == chunk.chunk_id


def test_a_saved_row_is_asdict_of_its_chunk(built_and_loaded, tmp_path):
    rows = (tmp_path / "bm25" / CHUNKS_FILE).read_bytes().splitlines()
    assert [json.loads(r) for r in rows] == [asdict(c) for c in CHUNKS]
