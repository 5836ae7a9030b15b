"""`map`, `table`, `cite` and `prisma` as a user runs them, on the CLI tests' real synthetic data dir."""

import csv
import json
from pathlib import Path

import bibtexparser
import rispy

from tests.cli.conftest import run_cli


def test_map_prints_a_table_and_writes_every_format(cli_data_dir: Path, tmp_path: Path):
    shown = run_cli("map", "--rows", "product", "--cols", "source", data_dir=cli_data_dir)
    assert shown.returncode == 0, shown.stderr
    assert "evidence map (5 records)" in shown.stdout
    out = tmp_path / "map.json"
    assert run_cli("map", "--rows", "source", "--cols", "indication", "--out", str(out), data_dir=cli_data_dir).returncode == 0
    body = json.loads(out.read_text())
    cells = {(c["row"], c["col"]): c["pmids"] for c in body["cells"]}
    assert cells[("umbilical cord", "lung / COVID-19")] == ["91000001"]
    assert cells[("adipose", "skin and wounds")] == ["91000002"]
    for name in ("map.png", "map.svg", "map.csv"):
        result = run_cli("map", "--out", str(tmp_path / name), "--year-from", "2020", data_dir=cli_data_dir)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
    bad = run_cli("map", "--rows", "colour", data_dir=cli_data_dir)
    assert bad.returncode == 2 and "unknown facet 'colour'" in bad.stderr


def test_table_writes_csv_and_cites_its_records(cli_data_dir: Path, tmp_path: Path):
    out, refs = tmp_path / "evidence.csv", tmp_path / "refs.ris"
    result = run_cli("table", "--query", "exosomes cardiomyocyte apoptosis", "--k", "3", "--out", str(out),
                     "--cite", "ris", "--cite-out", str(refs), data_dir=cli_data_dir)
    assert result.returncode == 0, result.stderr
    header, first, *rest = list(csv.reader(out.open()))
    row = dict(zip(header, first, strict=True))
    assert (row["pmid"], row["product"], row["indication"]) == ("91000000", "exosomes", "cardiovascular")
    assert row["title"] == "Synthetic CD34+ cell exosomes in a test corpus"
    entries = rispy.loads(refs.read_text())
    assert [e["accession_number"] for e in entries] == [row["pmid"], *(r[0] for r in rest)]
    assert entries[0]["title"] == "Synthetic CD34+ cell exosomes in a test corpus"


def test_cite_exports_pmids_or_a_search(cli_data_dir: Path):
    bib = run_cli("cite", "91000000", "91000002", "--format", "bibtex", data_dir=cli_data_dir)
    assert bib.returncode == 0, bib.stderr
    assert [e.key for e in bibtexparser.parse_string(bib.stdout).entries] == ["pmid91000000", "pmid91000002"]
    searched = run_cli("cite", "--search", "adipose conditioned medium angiogenesis", "--k", "2", "--format",
                       "csljson", data_dir=cli_data_dir)
    assert searched.returncode == 0, searched.stderr
    assert json.loads(searched.stdout)[0]["PMID"] == "91000002"
    both = run_cli("cite", "91000000", "--search", "x", data_dir=cli_data_dir)
    assert both.returncode == 2 and "exactly one of" in both.stderr
    missing = run_cli("cite", "91000000", "99999999", data_dir=cli_data_dir)
    assert missing.returncode == 0 and "not in the store: 99999999" in missing.stderr


def test_prisma_needs_a_search_run(cli_data_dir: Path):
    result = run_cli("prisma", data_dir=cli_data_dir)
    assert result.returncode == 2 and "no ingest run has logged searches" in result.stderr
