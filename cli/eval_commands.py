"""`eval`: run a question set through the real pipeline and write the JSON and HTML reports.

eval and rag are imported inside the command body, so `secretome-qa --help` stays instant.
"""

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cli.answer_commands import open_answerer
from cli.context import console, fail, reports_errors, settings_from
from rag.choices import AnswerBackend

# Scores that only mean something when the scope holds questions of a kind (the denominator).
NEEDS = {"refusal_accuracy": "unanswerable", "yesno_accuracy": "yesno"}


def _fmt(value: object) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def scope_kinds(report: dict) -> dict[str, dict[str, int]]:
    """Per scope ("overall" and each category): how many unanswerable and yes/no questions it holds."""
    kinds: dict[str, dict[str, int]] = {"overall": {"unanswerable": 0, "yesno": 0}}
    for row in report.get("per_question", []):
        for scope in ("overall", row.get("category")):
            entry = kinds.setdefault(scope, {"unanswerable": 0, "yesno": 0})
            entry["unanswerable"] += not row.get("answerable", True)
            entry["yesno"] += row.get("exact_answer") is not None
    if not report.get("per_question"):
        kinds["overall"] = {"unanswerable": report["questions"].get("unanswerable", 1),
                            "yesno": report["questions"].get("yesno", 1)}
    return kinds


def print_summary(report: dict, show_changed: int = 20) -> None:
    """One row per score, one column for the whole set and one per category; "-" where a score has no
    denominator (no unanswerable question for refusal accuracy, no yes/no question for yes/no accuracy)."""
    from eval.answer_metrics import ANSWER_SCORES
    from eval.report import RETRIEVAL_SCORES

    scopes = {"overall": report} | report["by_category"]
    kinds = scope_kinds(report)
    table = Table("score", *scopes, title=f"evaluation of {report['questions']['name']}")
    counts = [report["questions"]["count"], *(s["questions"] for s in report["by_category"].values())]
    table.add_row("questions", *(str(c) for c in counts))
    for name in RETRIEVAL_SCORES:
        table.add_row(name, *(_fmt(s["retrieval"].get(name)) for s in scopes.values()))
    for name in ANSWER_SCORES:
        values = [
            None if name in NEEDS and kinds.get(scope, {}).get(NEEDS[name], 1) == 0 else s["answers"].get(name)
            for scope, s in scopes.items()
        ]
        if name in NEEDS and all(v is None for v in values):
            continue  # e.g. no unanswerable question sampled: no refusal accuracy at all
        table.add_row(name, *(_fmt(v) for v in values))
    for name in ("p50", "p95"):
        table.add_row(f"latency {name} ms", *(f"{s['latency_ms'][name]:.0f}" for s in scopes.values()))
    console.print(table)
    if len(report["retrievers"]) > 1:
        modes = Table("retriever", *RETRIEVAL_SCORES, title="retrievers compared")
        for mode, scores in report["retrievers"].items():
            modes.add_row(mode, *(_fmt(scores["overall"].get(s)) for s in RETRIEVAL_SCORES))
        console.print(modes)
    if "comparison" in report:
        changes = Table("score", "previous", "current", "change", title="against the previous report")
        for part in ("retrieval", "answers", "latency_ms"):
            for name, entry in report["comparison"][part].items():
                colour = {True: "green", False: "red"}.get(entry["better"], "")
                delta = "-" if entry["delta"] is None else f"{entry['delta']:+.3f}"
                change = f"[{colour}]{delta}[/]" if colour else delta
                changes.add_row(name, _fmt(entry["previous"]), _fmt(entry["current"]), change)
        console.print(changes)
        changed = report["comparison"]["changed_answers"]
        console.print(f"{len(changed)} of {len(report['per_question'])} answers changed")
        for item in changed[:show_changed]:
            refused = item["refused"]
            turn = f"refused {refused['previous']} -> {refused['current']}; " if refused["previous"] != refused["current"] else ""
            cited = item["citations"]
            console.print(
                f"  {escape(item['id'])}: {turn}cites {', '.join(cited['previous']) or '-'} -> "
                f"{', '.join(cited['current']) or '-'} | {escape(item['question'][:80])}",
                highlight=False,
            )


def print_followups(result: dict, show: int = 10) -> None:
    table = Table("score", "value", title=f"follow-up rewriting ({result['followups']} follow-ups)")
    for name in ("exact", "normalised", "token_f1"):
        table.add_row(name, f"{result[name]:.3f}")
    console.print(table)
    misses = [r for r in result["rows"] if not r["exact"]][:show]
    for row in misses:
        console.print(f"[dim]{escape(row['message'])}[/]\n  got:      {escape(row['rewritten'])}\n"
                      f"  expected: {escape(row['expected'])}", highlight=False)


def evaluate_followups(path: Path, out: Path | None) -> None:
    from eval.followups import load_followups, score_followups

    result = score_followups(load_followups(path))
    print_followups(result)
    if out:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(result, indent=2), encoding="utf-8")
        except OSError as exc:
            raise fail(f"cannot write the report: {exc}", 1) from exc
        console.print(f"wrote {out}", highlight=False)


def evaluate(
    ctx: typer.Context,
    questions: Path | None = typer.Option(
        None, "--questions", help="Question set (JSON Lines, ../shared/eval/FORMAT.md)."
    ),
    followups: Path | None = typer.Option(
        None, "--followups", help="Score follow-up rewriting on a conversation set (eval/questions/followups.jsonl)."
    ),
    limit: int | None = typer.Option(
        None, "--limit", help="N questions sampled across categories and answerability (seeded)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the --limit sample."),
    split: str | None = typer.Option(
        None, "--split", help="Only questions of this split (train, validation, test; eval/splits.py): the trained "
        "models were fitted on train, so held-out scores come from test."
    ),
    unseen: bool = typer.Option(
        False,
        "--unseen-documents",
        help="With --split: only questions none of whose gold records is gold for a train-split question of the "
        "same file (the trained models read those records' text in training).",
    ),
    backend: AnswerBackend | None = typer.Option(None, "--backend", help="Answer generator (default: settings)."),
    out: Path | None = typer.Option(None, "--out", help="Write the JSON report here."),
    html: Path | None = typer.Option(None, "--html", help="Write the HTML report here."),
    compare: Path | None = typer.Option(None, "--compare", help="A previous JSON report to compare against."),
    compare_retrievers: bool = typer.Option(
        False, "--compare-retrievers", help="Score BM25-only, dense-only and hybrid retrieval side by side."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar on stderr."),
) -> None:
    """Score the service on a question set: retrieval, answers, citations, refusals and latency.

    With --followups, score how follow-ups are rewritten into standalone questions instead (no index needed).
    """
    if (questions is None) == (followups is None):
        raise fail("give --questions FILE or --followups FILE", 2)
    if followups is not None:
        evaluate_followups(followups, out)
        return
    from eval.questionset import load_questions, stratified_sample
    from eval.report import compare_reports, load_report, write_report
    from eval.runner import run_evaluation
    from ingest.store import DocumentStore

    if unseen and split is None:
        raise fail("--unseen-documents needs --split", 2)
    question_set = load_questions(questions)
    if split is not None:
        from eval.splits import SPLITS, splits_for, training_documents, unseen_documents

        if split not in SPLITS:
            raise fail(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}", 2)
        from dataclasses import replace

        assigned = splits_for([q.id for q in question_set.questions])
        kept = [q for q in question_set.questions if assigned[q.id] == split]
        if unseen:
            seen = training_documents({q.id: q.gold_pmids for q in question_set.questions})
            kept = [q for q in kept if unseen_documents(q.gold_pmids, seen)]
        question_set = replace(question_set, questions=kept)
    if limit is not None:
        question_set = stratified_sample(question_set, limit, seed)
    previous = load_report(compare) if compare else None
    settings = settings_from(ctx)
    answerer = open_answerer(settings)
    with DocumentStore(settings.store_path) as store:
        corpus_records = store.count()
    report = run_evaluation(
        question_set,
        answerer.searcher,
        answerer,
        settings=settings,
        corpus_records=corpus_records,
        backend=backend,
        compare_retrievers=compare_retrievers,
        progress=progress,
    )
    if previous is not None:
        report["comparison"] = compare_reports(report, previous)
    print_summary(report)
    try:
        if out:
            write_report(report, out)
            console.print(f"wrote {out}", highlight=False)
        if html:
            from eval.report_html import write_html  # matplotlib loads only when a page is asked for

            write_html(report, html, previous)
            console.print(f"wrote {html}", highlight=False)
    except OSError as exc:
        raise fail(f"cannot write the report: {exc}", 1) from exc


def register(app: typer.Typer) -> None:
    app.command("eval")(reports_errors(evaluate))
