"""JSON Lines in the snapshot schema, format detection, and bad lines."""

import json

import pytest

from core.errors import InputError, ParseError
from ingest.jsonl import read_jsonl
from ingest.readers import detect_format, read_records
from ingest.records import PubMedRecord, SkippedRecord

SYNTHETIC = {
    "pmid": "90000001",
    "title": "Synthetic record: secretome of imaginary cells (trial NCT00000001)",
    "abstract": "Synthetic abstract; registered as NCT00000002.",
    "abstract_complete": True,
    "year": 2022,
    "journal": "Journal of Synthetic Tests",
    "authors": ["Doe J"],
    "mesh": ["Secretome"],
    "pub_types": ["Journal Article"],
    "doi": "10.0000/synthetic",
    "sources": ["test"],
}


def test_reads_snapshot_fields_and_text_trial_ids(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(SYNTHETIC) + "\n")
    [record] = read_jsonl(path)
    assert record.pmid == "90000001"
    assert record.mesh[0].descriptor == "Secretome"
    assert record.trial_ids == ["NCT00000001", "NCT00000002"]
    assert record.year == 2022


def test_bad_lines_are_skipped_with_file_and_line(tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = [json.dumps(SYNTHETIC), "{not json", json.dumps({"title": "Synthetic, no pmid"}),
             json.dumps({**SYNTHETIC, "pmid": "abc"}), json.dumps({**SYNTHETIC, "pmid": "90000002"})]
    path.write_text("\n".join(lines) + "\n")
    results = read_jsonl(path)
    records = [r for r in results if isinstance(r, PubMedRecord)]
    skipped = [r for r in results if isinstance(r, SkippedRecord)]
    assert [r.pmid for r in records] == ["90000001", "90000002"]
    assert [s.origin for s in skipped] == [f"{path} line 2", f"{path} line 3", f"{path} line 4"]
    assert "invalid JSON" in skipped[0].reason
    assert "no pmid" in skipped[1].reason
    assert "pmid" in skipped[2].reason


@pytest.mark.parametrize(
    ("head", "fmt"),
    [(b'<?xml version="1.0"?>\n<PubmedArticleSet>', "xml"), (b"\nPMID- 1\nOWN - NLM", "medline"), (b'{"pmid": "1"}', "jsonl")],
)
def test_format_is_detected_from_content(head, fmt):
    assert detect_format(head) == fmt


def test_missing_empty_and_unknown_files_are_named(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_records(tmp_path / "absent.xml")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(ParseError, match="empty.txt: file is empty"):
        read_records(empty)
    odd = tmp_path / "odd.txt"
    odd.write_text("just some prose\n")
    with pytest.raises(ParseError, match="odd.txt: unrecognised format"):
        read_records(odd)
