"""`secretome-qa ingest`, `runs` and `stats` as a user runs them."""

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from ingest.store import DocumentStore
from tests.conftest import CORPUS, FIXTURES

runner = CliRunner()


def invoke(settings, *args):
    return runner.invoke(app, ["--data-dir", str(settings.data_dir), *args])


def stored(settings) -> int:
    with DocumentStore(settings.store_path) as store:
        return store.count()


@pytest.mark.slow
def test_whole_snapshot_ingests_once(settings):
    first = invoke(settings, "ingest", "--from-file", str(CORPUS))
    assert first.exit_code == 0, first.output
    assert "30106 new" in first.output
    assert stored(settings) == 30106
    again = invoke(settings, "ingest", "--from-file", str(CORPUS))
    assert again.exit_code == 0
    assert "0 new" in again.output and "30106 unchanged" in again.output
    stats = json.loads(invoke(settings, "stats", "--json").output)
    assert stats["records"] == 30106
    assert stats["by_source"]["pubmedqa"] == 1000
    assert stats["abstract_complete"] == 1000
    assert 100 < stats["on_topic"] < 400


def test_truncated_xml_exits_non_zero_and_stores_nothing(settings, tmp_path):
    good = FIXTURES / "entrez" / "pubmed1.xml"
    assert invoke(settings, "ingest", "--from-file", str(good)).exit_code == 0
    before = stored(settings)
    truncated = tmp_path / "truncated.xml"
    data = good.read_bytes()
    truncated.write_bytes(data[: len(data) * 2 // 3])
    result = invoke(settings, "ingest", "--from-file", str(truncated))
    assert result.exit_code != 0
    assert "truncated.xml" in result.output
    assert stored(settings) == before


def test_bad_jsonl_line_keeps_the_good_records(settings, tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = {"pmid": "90000011", "title": "Synthetic record one", "abstract": "Synthetic.", "sources": ["test"]}
    path.write_text(json.dumps(good) + "\n{broken\n" + json.dumps({**good, "pmid": "90000012"}) + "\n")
    result = invoke(settings, "ingest", "--from-file", str(path))
    assert result.exit_code == 0, result.output
    assert "line 2" in result.output
    assert "2 new" in result.output and "1 skipped" in result.output
    assert stored(settings) == 2


def test_nothing_usable_exits_non_zero(settings, tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text("{broken\n")
    result = invoke(settings, "ingest", "--from-file", str(path))
    assert result.exit_code == 1
    assert "no usable records" in result.output


def test_missing_path_is_named(settings, tmp_path):
    result = invoke(settings, "ingest", "--from-file", str(tmp_path / "nope.xml"))
    assert result.exit_code != 0
    assert "nope.xml: no such file" in result.output


def test_conflicting_sources_are_refused(settings):
    result = invoke(settings, "ingest", "--query", "secretome", "--preset", "seed-review")
    assert result.exit_code == 2
    assert "exactly one of" in result.output


def test_runs_lists_each_file_run(settings, tmp_path):
    medline = FIXTURES / "medline" / "pubmed_result1.txt"
    assert invoke(settings, "ingest", "--from-file", str(medline)).exit_code == 0
    runs = json.loads(invoke(settings, "runs", "--json").output)
    assert runs[0]["source"] == f"file:{medline}"
    assert runs[0]["outcome"] == "ok"
    assert runs[0]["new"] == stored(settings)


def test_stats_without_a_store_says_what_to_do(settings):
    result = invoke(settings, "stats")
    assert result.exit_code == 2
    assert "run `secretome-qa ingest` first" in result.output


def test_config_masks_secrets(settings, monkeypatch):
    monkeypatch.setenv("SECRETOME_ENTREZ_API_KEY", "very-secret-key")
    result = invoke(settings, "config")
    assert result.exit_code == 0
    shown = json.loads(result.output)
    assert shown["entrez"]["api_key"] == "**********"
    assert "very-secret-key" not in result.output
