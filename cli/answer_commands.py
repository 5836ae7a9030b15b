"""`ask` and `brief`: cited answers and briefings from the command line."""

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cli.context import console, err_console, fail, reports_errors, settings_from
from core.settings import Settings
from rag.answer.answerer import Answerer
from rag.briefing import FORMATS, BriefingBuilder, render_briefing
from rag.types import CitedAnswer, SearchFilters


def open_answerer(settings: Settings) -> Answerer:
    from rag.pipeline import build_pipeline

    return build_pipeline(settings).answerer


def build_filters(
    year_from: int | None, year_to: int | None, pub_type: list[str] | None, exclude_retracted: bool
) -> SearchFilters | None:
    if not (year_from or year_to or pub_type or exclude_retracted):
        return None
    return SearchFilters(
        year_from=year_from, year_to=year_to, pub_types=pub_type or [], exclude_retracted=exclude_retracted
    )


def print_answer(answer: CitedAnswer) -> None:
    console.print(escape(answer.answer), highlight=False, soft_wrap=True)
    if answer.verdict:
        console.print(f"\n[bold]verdict:[/] {answer.verdict}")
    if answer.citations:
        table = Table("PMID", "year", "study type", "title", title="citations")
        for c in answer.citations:
            kind = c.study_type + (f", phase {c.phase}" if c.phase else "") + (
                f", {', '.join(c.trial_ids)}" if c.trial_ids else ""
            )
            table.add_row(f"[link={c.link}]{c.pmid}[/link]", str(c.year or ""), kind, escape(c.title or ""))
        console.print(table)
    for warning in answer.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)


def ask(
    ctx: typer.Context,
    question: str = typer.Argument(..., help="The question, in quotes."),
    as_json: bool = typer.Option(False, "--json", help="Print the full answer object as JSON."),
    backend: str | None = typer.Option(None, help="extractive (default, offline) or llm."),
    year_from: int | None = typer.Option(None, help="Only evidence published in or after this year."),
    year_to: int | None = typer.Option(None, help="Only evidence published in or before this year."),
    pub_type: list[str] = typer.Option(None, "--pub-type", help="Only these publication types; repeatable."),
    exclude_retracted: bool = typer.Option(False, "--exclude-retracted", help="Leave retracted records out."),
) -> None:
    """Answer a question from the corpus, every sentence with a verified PMID citation."""
    if backend not in (None, "extractive", "llm"):
        raise fail(f"unknown backend {backend!r}; choose extractive or llm", 2)
    settings = settings_from(ctx)
    filters = build_filters(year_from, year_to, pub_type, exclude_retracted)
    answer = open_answerer(settings).ask(question, filters=filters, backend=backend)
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
        return
    print_answer(answer)


def brief(
    ctx: typer.Context,
    topic: str = typer.Argument(..., help="The topic, in quotes."),
    fmt: str = typer.Option("md", "--format", help="md, html or json."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of printing."),
    year_from: int | None = typer.Option(None, help="Only evidence published in or after this year."),
    year_to: int | None = typer.Option(None, help="Only evidence published in or before this year."),
) -> None:
    """Write a cited briefing: summary, mechanisms, sources, trials, regulatory hurdles, evidence gaps."""
    if fmt not in FORMATS:
        raise fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", 2)
    settings = settings_from(ctx)
    from ingest.store import DocumentStore

    with DocumentStore(settings.store_path) as store:
        briefing = BriefingBuilder(open_answerer(settings), store).build(
            topic, build_filters(year_from, year_to, None, False)
        )
    text = render_briefing(briefing, fmt)
    if out is None:
        typer.echo(text)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc}", 1) from exc
    cited = len(briefing.references)
    console.print(f"wrote {out} ({fmt}, {cited} cited records)", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(reports_errors(ask))
    app.command()(reports_errors(brief))
