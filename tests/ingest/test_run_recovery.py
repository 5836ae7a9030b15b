"""Runs killed mid-ingest keep the counts of the batches they committed and are marked `interrupted` by the
next run; records over the size cap are skipped with a message naming the setting."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from ingest.file_ingest import ingest_file
from ingest.store import DocumentStore

CLI = str(Path(sys.executable).with_name("secretome-qa"))


def write_jsonl(path: Path, n: int, start: int = 97_000_000, abstract: str | None = None) -> Path:
    with path.open("w") as handle:
        for i in range(n):
            handle.write(json.dumps({
                "pmid": str(start + i),
                "title": f"Synthetic record {i} for the interrupted-run test",
                "abstract": abstract or f"Synthetic abstract {i}: made-up text, not taken from any article.",
                "year": 2020,
                "sources": ["synthetic"],
            }) + "\n")
    return path


def run_row(store_path: Path, run_id: int) -> dict:
    db = sqlite3.connect(store_path)
    db.row_factory = sqlite3.Row
    try:
        return dict(db.execute("SELECT * FROM ingest_runs WHERE id = ?", (run_id,)).fetchone())
    finally:
        db.close()


def test_a_run_killed_mid_ingest_keeps_its_batch_counts_and_is_marked_interrupted(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    source = write_jsonl(tmp_path / "synthetic.jsonl", 40_000)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    process = subprocess.Popen([CLI, "--data-dir", str(data_dir), "ingest", "--from-file", str(source)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store_path = data_dir / "store.sqlite"
    deadline = time.monotonic() + 120
    committed = 0
    try:
        while committed < 1000:
            assert process.poll() is None, "the ingest finished before it could be killed"
            assert time.monotonic() < deadline
            if store_path.exists():
                try:
                    committed = run_row(store_path, 1)["new"]
                except (sqlite3.Error, TypeError):
                    committed = 0
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)

    killed = run_row(store_path, 1)
    assert killed["outcome"] == "running" and killed["new"] >= 1000 and killed["new"] % 1000 == 0
    with DocumentStore(store_path) as store:
        assert store.count() == killed["new"], "the run's count is exactly what it committed"
        ingest_file(store, write_jsonl(tmp_path / "next.jsonl", 3, start=98_000_000))
        runs = {run["id"]: run for run in store.runs()}
    assert runs[1]["outcome"] == "interrupted" and runs[1]["new"] == killed["new"] and runs[1]["ended_at"]
    assert runs[2]["outcome"] == "ok" and runs[2]["new"] == 3


def test_a_live_run_is_not_marked_interrupted(tmp_path: Path) -> None:
    with DocumentStore(tmp_path / "store.sqlite") as store:
        mine = store.start_run("file:synthetic")
        other = store.start_run("file:synthetic-2")
        assert store.mark_interrupted_runs() == []
        assert {r["id"]: r["outcome"] for r in store.runs()} == {mine: "running", other: "running"}


def test_oversized_records_are_skipped_with_a_message_naming_the_setting(tmp_path: Path) -> None:
    big = write_jsonl(tmp_path / "big.jsonl", 1, start=96_000_000, abstract="Synthetic filler. " * 20_000)
    fine = write_jsonl(tmp_path / "fine.jsonl", 2, start=96_100_000)
    with DocumentStore(tmp_path / "store.sqlite") as store:
        refused = ingest_file(store, big)
        kept = ingest_file(store, fine)
        assert store.count() == 2
    [skip] = refused.skipped
    assert skip.origin == "big.jsonl PMID 96000000"
    assert skip.reason.startswith("too large: title and abstract have 3600")
    assert "characters, over the limit of 50000 (SECRETOME_INGEST__MAX_RECORD_CHARS)" in skip.reason
    assert refused.counts.skipped == 1 and refused.counts.skipped_reasons == {"too large": 1}
    assert kept.counts.new == 2 and not kept.skipped


def test_the_cli_says_why_a_record_was_skipped(tmp_path: Path) -> None:
    big = write_jsonl(tmp_path / "big.jsonl", 1, start=96_000_000, abstract="Synthetic filler. " * 20_000)
    write_jsonl(tmp_path / "mixed.jsonl", 1, start=96_100_000)
    with (tmp_path / "mixed.jsonl").open("a") as handle:
        handle.write(big.read_text())
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "COLUMNS": "200"}
    done = subprocess.run([CLI, "--data-dir", str(tmp_path / "data"), "ingest", "--from-file", str(tmp_path / "mixed.jsonl")],
                          env=env, check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "SECRETOME_INGEST__MAX_RECORD_CHARS" in done.stdout + done.stderr
