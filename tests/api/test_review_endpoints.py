"""The workbench endpoints on a real uvicorn server over a real store and index of synthetic records:
/v1/map, /v1/table (JSON, CSV, XLSX), /v1/records/export (RIS, BibTeX, CSL-JSON), /v1/prisma."""

import csv
import io
import json
from collections.abc import Iterator

import bibtexparser
import pytest
import rispy

from api.app import create_app
from rag.index.indexer import Indexer
from tests.api.live_server import LiveServer
from tests.rag.retrieve.retrieval_fixtures import synthetic_settings


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = synthetic_settings(tmp_path_factory.mktemp("review-api") / "data")
    Indexer(settings).run(show_progress=False)
    with LiveServer(create_app(settings)) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer):
    with server.client() as opened:
        yield opened


def test_map_of_the_whole_store_lists_each_cells_pmids(client):
    response = client.get("/v1/map", params={"rows": "product", "cols": "evidence"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["records"] == 8 and body["rows_facet"] == "product"
    trial = next(c for c in body["cells"] if c["col"] == "human trial")
    assert trial == {"row": "conditioned medium", "col": "human trial", "count": 1, "pmids": ["92000004"]}
    hidden = client.get("/v1/map", params={"hide_unlabelled": True}).json()
    assert "unknown" not in hidden["rows"] and hidden["records"] < 8


def test_map_of_a_search(client):
    response = client.get("/v1/map", params={"q": "exosomes mesenchymal heart", "k": 3, "rows": "source"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["records"] == 3 and body["query"] == "exosomes mesenchymal heart"


@pytest.mark.parametrize(
    ("params", "code"),
    [({"rows": "colour"}, 422), ({"year_from": 2024, "year_to": 2019}, 422)],
)
def test_map_refuses_bad_parameters_as_json_errors(client, params, code):
    response = client.get("/v1/map", params=params)
    assert response.status_code == code
    assert response.json()["error"]["code"] == "invalid_request"


def test_table_as_json_csv_and_xlsx(client):
    query = {"q": "conditioned medium knee osteoarthritis trial", "k": 3}
    body = client.get("/v1/table", params=query).json()
    assert body["rows"][0]["pmid"] == "92000004"
    assert body["rows"][0]["nct_ids"] == ["NCT04366063"] and body["rows"][0]["evidence_level"] == "human trial"
    as_csv = client.get("/v1/table", params={**query, "format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(as_csv.text)))[1][0] == "92000004"
    as_xlsx = client.get("/v1/table", params={**query, "format": "xlsx"})
    assert as_xlsx.content[:2] == b"PK" and 'filename="evidence.xlsx"' in as_xlsx.headers["content-disposition"]


def test_export_in_each_format_parses_back(client):
    pmids = "92000004,92000001"
    ris = client.get("/v1/records/export", params={"pmids": pmids, "format": "ris"})
    assert ris.status_code == 200 and ris.headers["content-type"].startswith("application/x-research-info-systems")
    assert [e["accession_number"] for e in rispy.loads(ris.text)] == ["92000004", "92000001"]
    bib = client.get("/v1/records/export", params={"pmids": pmids, "format": "bibtex"})
    assert [e.key for e in bibtexparser.parse_string(bib.text).entries] == ["pmid92000004", "pmid92000001"]
    csl = client.get("/v1/records/export", params=[("pmids", "92000004"), ("pmids", "92000001"), ("format", "csljson")])
    assert [i["PMID"] for i in json.loads(csl.text)] == ["92000004", "92000001"]
    assert json.loads(csl.text)[0]["title"] == "Synthetic record about a synthetic trial of conditioned medium"


def test_export_errors_and_partial_results(client):
    partial = client.get("/v1/records/export", params={"pmids": "92000004,99999999"})
    assert partial.status_code == 200 and partial.headers["x-missing-pmids"] == "99999999"
    assert client.get("/v1/records/export", params={"pmids": "99999999"}).status_code == 404
    assert client.get("/v1/records/export", params={"pmids": "abc"}).status_code == 422
    assert client.get("/v1/records/export", params={"pmids": "92000004", "format": "endnote"}).status_code == 422
    assert client.get("/v1/records/92000004").json()["pmid"] == "92000004"  # the PMID route still works


def test_prisma_without_a_search_run_is_a_bad_request(client):
    response = client.get("/v1/prisma")
    assert response.status_code == 400
    assert "no ingest run has logged searches" in response.json()["error"]["message"]
