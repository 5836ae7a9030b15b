"""The commands a new user meets first, run as real subprocesses over a real (small) store and index."""

import json
import socket
import time
from pathlib import Path

import pytest

from core.settings import Settings
from ingest.stats import store_stats
from ingest.store import DocumentStore
from tests.cli.conftest import cli_records, run_cli


def test_stats_shows_every_year_the_records_without_one_and_the_on_topic_share(tmp_path: Path) -> None:
    records = cli_records()
    many_years = [records[0].model_copy(update={"pmid": str(92_000_000 + y), "year": y}) for y in range(1980, 2026)]
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    with DocumentStore(settings.store_path) as store:
        store.upsert(records + many_years)
        report = store_stats(store)
    result = run_cli("stats", data_dir=settings.data_dir)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2025" in out and "1980" in out, "recent and early years must both be listed (no cut at 25 rows)"
    assert "no year" in out and f"no year │ {report.by_year['unknown']}" in out.replace("  ", " ").replace("  ", " ")
    assert "on topic" in out and f"({report.on_topic_share:.1%})" in out
    assert report.abstract_partial == 1 and "--complete-abstracts" in out, "the way to complete them is named"
    assert out.index("2025") < out.index("1980"), "newest years first"


def test_runs_does_not_truncate_a_long_file_name_at_80_columns(tmp_path: Path) -> None:
    nested = tmp_path / "a-rather-long-folder-name-for-exports" / "pubmed-export-2026-secretome-review-batch.jsonl"
    nested.parent.mkdir(parents=True)
    nested.write_text("\n".join(r.model_dump_json() for r in cli_records()) + "\n")
    data_dir = tmp_path / "data"
    assert run_cli("ingest", "--from-file", str(nested), data_dir=data_dir).returncode == 0
    folded = run_cli("runs", data_dir=data_dir, env={"COLUMNS": "80"})
    assert folded.returncode == 0, folded.stderr
    assert "…" not in folded.stdout, folded.stdout
    assert f"file:{nested}" in folded.stdout, folded.stdout
    wide = run_cli("runs", "--wide", data_dir=data_dir, env={"COLUMNS": "80"})
    assert str(nested) in wide.stdout, wide.stdout


def test_search_with_a_pub_type_nobody_has_says_why_nothing_matches(cli_data_dir: Path) -> None:
    result = run_cli("search", "exosomes", "--pub-type", "Review", data_dir=cli_data_dir)
    assert result.returncode == 0, result.stderr
    assert "no records match" in result.stdout
    assert "no record in this store has a publication type" in result.stdout
    as_json = run_cli("search", "exosomes", "--pub-type", "Review", "--json", data_dir=cli_data_dir)
    assert "publication type" in json.loads(as_json.stdout)["hint"]


def test_search_shows_plain_titles_and_opening_words_for_untitled_records(cli_data_dir: Path) -> None:
    result = run_cli("search", "umbilical cord extracellular vesicles microRNAs lung", "--k", "5",
                     data_dir=cli_data_dir)
    assert result.returncode == 0, result.stderr
    assert "<sup>" not in result.stdout and "CD34+" in result.stdout
    assert "Synthetic umbilical cord MSC extracellular vesicles contained" in result.stdout
    assert "untitled" not in result.stdout


def test_ask_answers_every_question_of_a_file_with_one_model_load(cli_data_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text(
        "# synthetic questions\nWhich microRNA do mesenchymal stem cell exosomes carry?\n\n"
        '{"question": "Does adipose conditioned medium promote angiogenesis?"}\n'
    )
    result = run_cli("ask", "--questions", str(questions), "--json", data_dir=cli_data_dir)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [a["question"] for a in answers] == [
        "Which microRNA do mesenchymal stem cell exosomes carry?",
        "Does adipose conditioned medium promote angiogenesis?",
    ]
    cited = [c for a in answers for c in a["citations"]]
    assert cited and all(c["evidence_level"] for c in cited), "citations carry the map's evidence level"
    pretty = run_cli("ask", "--questions", str(questions), data_dir=cli_data_dir)
    assert "1/2" in pretty.stdout and "2/2" in pretty.stdout
    assert "evidence" in pretty.stdout and cited[0]["evidence_level"] in pretty.stdout
    assert "What kind of evidence:" in pretty.stdout
    both = run_cli("ask", "a question", "--questions", str(questions), data_dir=cli_data_dir)
    assert both.returncode == 2


def test_chat_reads_piped_turns_and_keeps_the_subject_of_follow_ups(cli_data_dir: Path) -> None:
    turns = "Do mesenchymal stem cell exosomes carry miR-21?\nAnd do they reduce apoptosis?\n"
    result = run_cli("chat", data_dir=cli_data_dir, stdin=turns)
    assert result.returncode == 0, result.stderr
    assert "searched: Do mesenchymal stem cell exosomes reduce apoptosis?" in result.stdout
    assert result.stdout.count("you>") == 2 and "[PMID:" in result.stdout
    assert "conversation " in result.stdout


def test_serve_says_at_once_when_the_port_is_taken(cli_data_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.perf_counter()
        result = run_cli("serve", "--port", str(port), data_dir=cli_data_dir, timeout=60)
        elapsed = time.perf_counter() - started
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "serving on" not in result.stdout
    assert elapsed < 5, f"took {elapsed:.1f} s to say the port is taken"


@pytest.mark.parametrize("limit", [5, 8, 20])
def test_eval_limit_samples_every_category_and_unanswerable_questions(limit: int) -> None:
    from eval.questionset import CURATED_SET, load_questions, stratified_sample

    full = load_questions(CURATED_SET)
    sample = stratified_sample(full, limit, seed=3)
    assert len(sample) == limit
    assert sample.summary()["unanswerable"] >= 1
    if limit >= 8:
        assert set(sample.category_counts()) == set(full.category_counts())
    assert [q.id for q in sample.questions] == [q.id for q in stratified_sample(full, limit, seed=3).questions]
    assert [q.id for q in sample.questions] != [q.id for q in full.questions[:limit]]


def test_eval_summary_prints_no_score_whose_denominator_is_empty() -> None:
    from cli.eval_commands import scope_kinds

    rows = [{"category": "mechanisms", "answerable": True, "exact_answer": None},
            {"category": "trials", "answerable": False, "exact_answer": None}]
    kinds = scope_kinds({"per_question": rows, "questions": {}})
    assert kinds["mechanisms"] == {"unanswerable": 0, "yesno": 0}
    assert kinds["overall"] == {"unanswerable": 1, "yesno": 0}


def test_eval_followups_scores_the_conversation_set() -> None:
    result = run_cli("eval", "--followups", "eval/questions/followups.jsonl")
    assert result.returncode == 0, result.stderr
    assert "follow-up rewriting" in result.stdout and "token_f1" in result.stdout


def test_training_the_sentence_selector_without_an_index_says_to_build_one(tmp_path: Path) -> None:
    done = run_cli("train", "sentence-selector", "--out", str(tmp_path / "models"), data_dir=tmp_path / "empty")
    assert done.returncode == 1
    assert "no index at" in done.stderr and "secretome-qa index" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "models").exists()
