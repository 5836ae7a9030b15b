"""The document store: upsert by PMID, atomic batches, run log, conversations."""

import sqlite3

import pytest

from core.errors import StoreError
from ingest.records import PubMedRecord
from ingest.store import DocumentStore


def synthetic(pmid: str, title: str = "Synthetic record about secretome tests", **extra) -> PubMedRecord:
    return PubMedRecord(pmid=pmid, title=title, abstract="Synthetic abstract text.", sources=["test"], **extra)


@pytest.fixture
def store(tmp_path):
    with DocumentStore(tmp_path / "store.sqlite") as opened:
        yield opened


def test_upsert_reports_new_then_unchanged(store):
    first = store.upsert([synthetic("1"), synthetic("2")])
    second = store.upsert([synthetic("1"), synthetic("2")])
    assert (first.new, first.unchanged) == (2, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 2)
    assert store.count() == 2


def test_changed_record_replaces_the_old_one(store):
    store.upsert([synthetic("7")])
    counts = store.upsert([synthetic("7", title="Synthetic record, corrected title")])
    assert counts.updated == 1
    assert store.get("7").title == "Synthetic record, corrected title"


def test_provenance_alone_is_not_a_change(store):
    store.upsert([synthetic("7")])
    moved = synthetic("7").model_copy(update={"sources": ["elsewhere"]})
    assert store.upsert([moved]).unchanged == 1


def test_a_failing_batch_leaves_nothing_half_written(store, monkeypatch):
    store.upsert([synthetic("1")])

    def explode(self):
        raise sqlite3.OperationalError("disk on fire")

    good = synthetic("2")
    monkeypatch.setattr(PubMedRecord, "content_hash", lambda self: explode(self) if self.pmid == "3" else "h" + self.pmid)
    with pytest.raises(StoreError, match="rolled back"):
        store.upsert([good, synthetic("3")])
    assert store.count() == 1
    assert store.get("2") is None


def test_iter_records_pages_through_everything(store):
    store.upsert([synthetic(str(n)) for n in range(1, 26)])
    assert sorted(int(r.pmid) for r in store.iter_records(batch_size=7)) == list(range(1, 26))


def test_runs_and_search_log_are_listed_newest_first(store):
    first = store.start_run("pubmed", "q1")
    store.log_search(first, "q1", mindate="2019/02/01", maxdate="2024/01/31", count_found=3, fetched=3, completed=True)
    second = store.start_run("file:x.xml")
    runs = store.runs()
    assert [r["id"] for r in runs] == [second, first]
    assert runs[1]["searches"][0]["count_found"] == 3
    assert store.last_completed_search("q1")["maxdate"] == "2024/01/31"
    assert store.last_completed_search("never run") is None


def test_unopenable_store_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="cannot open document store"):
        DocumentStore(blocker / "store.sqlite")
