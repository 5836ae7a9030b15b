"""The ask-latency, cold-ask and serve-memory benchmarks measured on a small synthetic index: plumbing, not timings."""

import os
from pathlib import Path

from eval.bench import ask_cold, ask_latency, serve_memory
from tests.eval.conftest import CLI_ENV, write_question_set


def _vm_rss_mib() -> float:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_peak_rss_reads_this_process_from_proc():
    assert serve_memory.peak_rss_mib(os.getpid()) >= _vm_rss_mib() * 0.99


def test_ask_latency_times_every_question(small_index, tmp_path):
    figures = ask_latency.measure(small_index, write_question_set(tmp_path / "set.jsonl"), n=3, progress=False)
    assert figures["ask_questions"] == 3 and figures["ask_sentence_vectors_stored"] is True
    assert 0 < figures["ask_latency_p50_ms"] <= figures["ask_latency_p95_ms"]
    assert [line.split(":")[0] for line in ask_latency.lines(figures)] == ["ask latency p50", "ask latency p95"]


def test_serve_memory_starts_the_real_service_and_reads_its_peak(small_index, tmp_path, monkeypatch):
    for name, value in CLI_ENV.items():
        monkeypatch.setenv(name, value)
    figures = serve_memory.measure(small_index, write_question_set(tmp_path / "set.jsonl"), n=2, ready_timeout=180)
    assert figures["serve_questions"] == 2
    # a Python process with torch, Chroma and the embedding model loaded is well above 100 MiB
    assert figures["serve_peak_rss_mib"] >= figures["serve_peak_rss_at_ready_mib"] > 100
    assert serve_memory.lines(figures)[0].startswith("serve peak RSS:")


def test_ask_cold_times_the_cli_in_process_and_through_a_running_service(small_index, tmp_path, monkeypatch):
    for name, value in CLI_ENV.items():
        monkeypatch.setenv(name, value)
    figures = ask_cold.measure(small_index, write_question_set(tmp_path / "set.jsonl"), n=1, ready_timeout=180)
    assert figures["ask_cold_questions"] == 1
    assert 0 < figures["ask_cold_via_service_median_s"] <= figures["ask_cold_via_service_max_s"]
    assert 0 < figures["ask_cold_local_median_s"] <= figures["ask_cold_local_max_s"]
    printed = ask_cold.lines(figures)
    assert [line.split(":")[0] for line in printed] == ["cold ask, in process (--local)", "cold ask, through a running serve"]
