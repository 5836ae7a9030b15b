"""`eval`: run a question set through the real pipeline and write the JSON and HTML reports."""

from pathlib import Path

import typer
from rich.table import Table

from cli.answer_commands import open_answerer
from cli.context import console, fail, reports_errors, settings_from
from eval.answer_metrics import ANSWER_SCORES
from eval.questionset import load_questions
from eval.report import RETRIEVAL_SCORES, compare_reports, load_report, write_report
from eval.runner import run_evaluation
from ingest.store import DocumentStore


def _fmt(value: object) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def print_summary(report: dict) -> None:
    """One row per score, one column for the whole set and one per category."""
    scopes = {"overall": report} | report["by_category"]
    table = Table("score", *scopes, title=f"evaluation of {report['questions']['name']}")
    counts = [report["questions"]["count"], *(s["questions"] for s in report["by_category"].values())]
    table.add_row("questions", *(str(c) for c in counts))
    for name in RETRIEVAL_SCORES:
        table.add_row(name, *(_fmt(s["retrieval"].get(name)) for s in scopes.values()))
    for name in ANSWER_SCORES:
        table.add_row(name, *(_fmt(s["answers"].get(name)) for s in scopes.values()))
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


def evaluate(
    ctx: typer.Context,
    questions: Path = typer.Option(..., "--questions", help="Question set (JSON Lines, ../shared/eval/FORMAT.md)."),
    limit: int | None = typer.Option(None, "--limit", help="Only the first N questions."),
    backend: str | None = typer.Option(None, "--backend", help="extractive (default) or llm."),
    out: Path | None = typer.Option(None, "--out", help="Write the JSON report here."),
    html: Path | None = typer.Option(None, "--html", help="Write the HTML report here."),
    compare: Path | None = typer.Option(None, "--compare", help="A previous JSON report to compare against."),
    compare_retrievers: bool = typer.Option(
        False, "--compare-retrievers", help="Score BM25-only, dense-only and hybrid retrieval side by side."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar on stderr."),
) -> None:
    """Score the service on a question set: retrieval, answers, citations, refusals and latency."""
    if backend not in (None, "extractive", "llm"):
        raise fail(f"unknown backend {backend!r}; choose extractive or llm", 2)
    question_set = load_questions(questions, limit)
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
