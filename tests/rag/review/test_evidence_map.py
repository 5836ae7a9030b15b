"""The evidence map and table over a real store and a real index of visibly synthetic records."""

import csv
import io
import json
from pathlib import Path

import pytest

from core.errors import InputError
from rag.index.indexer import Indexer
from rag.retrieve.searcher import Searcher
from rag.review.evidence_map import build_map, map_csv, write_map
from rag.review.evidence_table import table_csv, write_table
from rag.review.profile import EvidenceProfile
from rag.review.workbench import evidence_map, evidence_table
from tests.rag.retrieve.retrieval_fixtures import synthetic_settings


def profile(pmid: str, **labels: object) -> EvidenceProfile:
    values = {"product": "exosomes", "source": "bone marrow", "indication": "cardiovascular", "evidence": "animal",
              "study_type": "animal study", "year": 2020} | labels
    return EvidenceProfile(pmid=pmid, **values)


def test_cells_count_records_and_list_their_pmids():
    profiles = [
        profile("95000001"),
        profile("95000002"),
        profile("95000003", source="adipose", indication="skin and wounds", preconditioning=["hypoxia", "3D culture"]),
        profile("95000004", source="unknown", indication="not stated"),
    ]
    result = build_map(profiles, "source", "indication")
    assert result.rows == ["bone marrow", "adipose", "unknown"]
    assert result.cols == ["cardiovascular", "skin and wounds", "not stated"]
    assert result.count("bone marrow", "cardiovascular") == 2
    assert next(c.pmids for c in result.cells if c.row == "adipose") == ["95000003"]
    assert result.matrix() == [[2, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert result.records == 4
    hidden = build_map(profiles, "source", "indication", hide_unlabelled=True)
    assert hidden.rows == ["bone marrow", "adipose"] and hidden.records == 3
    by_precondition = build_map(profiles, "preconditioning", "evidence")
    assert by_precondition.rows == ["hypoxia", "3D culture", "none"]
    assert by_precondition.count("none", "animal") == 3
    assert build_map(profiles, "year", "product").rows == ["2020"]
    with pytest.raises(InputError, match="unknown facet 'color'"):
        build_map(profiles, "color", "indication")


def test_the_map_is_written_as_png_svg_csv_and_json(tmp_path: Path):
    result = build_map([profile("95000001"), profile("95000002", evidence="in vitro")], "product", "evidence")
    for name in ("map.png", "map.svg", "map.csv", "map.json"):
        write_map(result, tmp_path / name)
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "map.svg").read_text()
    rows = list(csv.reader(io.StringIO(map_csv(result))))
    assert rows == [["product \\ evidence", "in vitro", "animal"], ["exosomes", "1", "1"]]
    assert json.loads((tmp_path / "map.json").read_text())["cells"][0]["pmids"] == ["95000002"]
    with pytest.raises(InputError, match="use .png, .svg, .csv or .json"):
        write_map(result, tmp_path / "map.pdf")


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    settings = synthetic_settings(tmp_path_factory.mktemp("review") / "data")
    Indexer(settings).run(show_progress=False)
    searcher = Searcher.from_settings(settings)
    yield settings, lambda q, k, f: searcher.search(q, k=k, filters=f)
    searcher.close()


def test_the_map_covers_the_store_or_a_search(indexed):
    settings, search = indexed
    whole = evidence_map(settings, rows="product", cols="evidence")
    assert whole.records == 8
    assert "92000004" in next(c.pmids for c in whole.cells if c.row == "conditioned medium")
    assert whole.count("conditioned medium", "human trial") == 1
    searched = evidence_map(settings, rows="source", cols="indication", query="exosomes mesenchymal heart", k=2,
                            search=search)
    assert searched.records == 2 and searched.query == "exosomes mesenchymal heart"
    with pytest.raises(InputError, match="needs the index"):
        evidence_map(settings, query="anything")


def test_the_table_has_one_row_per_retrieved_record(indexed, tmp_path: Path):
    settings, search = indexed
    table = evidence_table(settings, "conditioned medium knee osteoarthritis trial", 3, None, search)
    first = table.rows[0]
    assert (first.pmid, first.product, first.source, first.indication) == (
        "92000004", "conditioned medium", "adipose", "musculoskeletal")
    assert (first.evidence_level, first.study_type, first.nct_ids) == ("human trial", "randomized controlled trial",
                                                                      ["NCT04366063"])
    assert first.best_passage and first.link.endswith("/92000004/")
    assert len(table.rows) == 3
    header, *rows = list(csv.reader(io.StringIO(table_csv(table))))
    assert header[:4] == ["pmid", "year", "journal", "title"] and rows[0][0] == "92000004"
    write_table(table, tmp_path / "evidence.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "evidence.xlsx")["evidence"]
    assert [c.value for c in sheet[2]][:1] == ["92000004"]
