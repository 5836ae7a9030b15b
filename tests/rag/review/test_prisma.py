"""The PRISMA 2020 flow of a live ingest run replayed from the recorded NCBI answers: counts equal what
`secretome-qa runs --json` reports, and the diagram is drawn as svg and png."""

import json
from pathlib import Path

import pytest
import rispy
from Bio import Entrez

from core.settings import Settings
from ingest.live import SearchSpec
from ingest.store import DocumentStore
from rag.review.prisma import plot_prisma, prisma_counts
from tests.cli.conftest import run_cli
from tests.ingest.test_entrez_live import PAGED_PMIDS, ReplayNCBI, entrez_settings, paged_route, run_live

SPECS = [
    SearchSpec('"stem cell" AND "secretome"', "1970/01/01", "2017/12/31", name="synthetic-review:secretome"),
    SearchSpec('"conditioned medium"', "1970/01/01", "2017/12/31", name="synthetic-review:conditioned-medium"),
]


@pytest.fixture(scope="module")
def live_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One live run of two searches that find the same seven recorded records, then an index over them."""
    data_dir = tmp_path_factory.mktemp("prisma") / "data"
    settings = Settings(_env_file=None, data_dir=data_dir)
    settings = settings.model_copy(update={"entrez": entrez_settings(batch_size=10_000, max_records_per_search=50_000)})
    patch = pytest.MonkeyPatch()
    patch.setattr(Entrez, "urlopen", ReplayNCBI(paged_route))
    try:
        with DocumentStore(settings.store_path) as store:
            run_id = store.start_run("pubmed", "synthetic-review")
            counts = run_live(store, settings, SPECS, run_id=run_id)
            store.finish_run(run_id, counts, "complete")
    finally:
        patch.undo()
    return data_dir


def test_counts_follow_the_search_log_and_the_store(live_data_dir: Path):
    with DocumentStore(live_data_dir / "store.sqlite") as store:
        counts = prisma_counts(store, indexed_pmids=None)
    assert [(s.query_name, s.count_found, s.fetched, s.completed) for s in counts.searches] == [
        ("synthetic-review:secretome", 42249, 7, True),
        ("synthetic-review:conditioned-medium", 42249, 7, True),
    ]
    assert (counts.identified, counts.fetched, counts.not_retrieved) == (84498, 14, 84484)
    assert (counts.duplicates, counts.screened) == (7, len(PAGED_PMIDS))
    # the recorded records are from 1976-2018; two (2018) fall outside the 1970-2017 window
    assert (counts.excluded_retracted, counts.excluded_language, counts.excluded_window) == (0, 0, 2)
    assert (counts.eligible, counts.included, counts.indexed) == (5, 0, False)


def test_the_cli_diagram_matches_runs_json_and_counts_the_index(live_data_dir: Path, tmp_path: Path):
    runs = run_cli("runs", "--json", data_dir=live_data_dir)
    assert runs.returncode == 0, runs.stderr
    (run,) = json.loads(runs.stdout)
    indexed = run_cli("index", data_dir=live_data_dir)
    assert indexed.returncode == 0, indexed.stderr
    svg = tmp_path / "prisma.svg"
    result = run_cli("prisma", "--out", str(svg), "--json", data_dir=live_data_dir)
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts["run_id"] == run["id"]
    assert [(s["query"], s["count_found"], s["fetched"]) for s in counts["searches"]] == [
        (s["query"], s["count_found"], s["fetched"]) for s in run["searches"]
    ]
    assert counts["identified"] == sum(s["count_found"] for s in run["searches"])
    assert counts["fetched"] == sum(s["fetched"] for s in run["searches"])
    assert counts["screened"] == run["new"] == len(PAGED_PMIDS)
    assert (counts["included"], counts["indexed"]) == (5, True)
    text = svg.read_text()
    for box in ("Identification", "Screening", "Included", "n = 84498", "Duplicates across queries (n = 7)",
                "Outside the date window (n = 2)", "Records included in the index (n = 5)"):
        assert box in text, box


def test_png_diagram_and_errors(live_data_dir: Path, tmp_path: Path):
    with DocumentStore(live_data_dir / "store.sqlite") as store:
        counts = prisma_counts(store, indexed_pmids=None)
    png = tmp_path / "prisma.png"
    plot_prisma(counts, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    missing = run_cli("prisma", "--run", "99", data_dir=live_data_dir)
    assert missing.returncode == 2 and "no ingest run 99" in missing.stderr


def test_map_and_reference_export_on_the_live_ingest(live_data_dir: Path, tmp_path: Path):
    out = tmp_path / "map.json"
    result = run_cli("map", "--rows", "evidence", "--cols", "year", "--out", str(out), data_dir=live_data_dir)
    assert result.returncode == 0, result.stderr
    body = json.loads(out.read_text())
    assert body["records"] == len(PAGED_PMIDS)
    assert {p for c in body["cells"] for p in c["pmids"]} == PAGED_PMIDS
    assert body["cols"] == ["1976", "1990", "2001", "2017", "2018"]
    ris = run_cli("cite", *sorted(PAGED_PMIDS), "--format", "ris", data_dir=live_data_dir)
    assert ris.returncode == 0, ris.stderr
    entries = rispy.loads(ris.stdout)
    assert {e["accession_number"] for e in entries} == PAGED_PMIDS
    assert sum("doi" in e for e in entries) == 6 and all(e.get("authors") for e in entries)
