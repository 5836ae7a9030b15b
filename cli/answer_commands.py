"""`ask`, `chat` and `brief`: cited answers, conversations and briefings from the command line.

rag is imported inside the command bodies, so `secretome-qa --help` never loads the models' libraries.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Self

import typer
from rich.markup import escape
from rich.table import Table

from cli.context import console, err_console, fail, reports_errors, settings_from
from rag.choices import AnswerBackend, BriefingFormat

if TYPE_CHECKING:
    from core.settings import Settings
    from rag.answer.answerer import Answerer
    from rag.index.chroma_store import DenseReader
    from rag.types import CitedAnswer, SearchFilters

CHAT_EXIT = {"exit", "quit", ":q", "/exit", "/quit"}


def open_answerer(settings: Settings) -> Answerer:
    """The answerer over the settings' index, Chroma opening in a helper process while the models load here."""
    from rag.index.chroma_process import open_beside_helper

    def build(dense: DenseReader) -> Answerer:
        from rag.pipeline import build_pipeline

        return build_pipeline(settings, dense=dense).answerer

    return open_beside_helper(settings, build)


class AnswerSource:
    """A running service on this index when there is one, else the index loaded here once for the batch."""

    def __init__(self, settings: Settings, *, use_service: bool):
        from cli.service_client import ServiceAnswerer

        self.settings = settings
        self.service = ServiceAnswerer.find(settings) if use_service else None
        self.answerer: Answerer | None = None
        if self.service:
            err_console.print(f"[dim]answered by the service at {self.service.url} (--local to load the index here)[/]",
                              highlight=False)

    def ask(self, question: str, filters: SearchFilters | None, backend: AnswerBackend | None) -> CitedAnswer:
        from cli.service_client import ServiceUnavailableError

        if self.service:
            try:
                return self.service.ask(question, filters=filters, backend=backend)
            except ServiceUnavailableError as exc:
                err_console.print(f"[yellow]warning:[/] {escape(str(exc))}; answering here", highlight=False)
                self.close()
        if self.answerer is None:
            self.answerer = open_answerer(self.settings)
        return self.answerer.ask(question, filters=filters, backend=backend)

    def close(self) -> None:
        if self.service:
            self.service.close()
            self.service = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def build_filters(
    year_from: int | None, year_to: int | None, pub_type: list[str] | None, exclude_retracted: bool
) -> SearchFilters | None:
    if not (year_from or year_to or pub_type or exclude_retracted):
        return None
    from rag.types import SearchFilters

    return SearchFilters(
        year_from=year_from, year_to=year_to, pub_types=pub_type or [], exclude_retracted=exclude_retracted
    )


def print_answer(answer: CitedAnswer) -> None:
    from rag.display import display_title

    console.print(escape(answer.answer), highlight=False, soft_wrap=True)
    if answer.verdict:
        console.print(f"\n[bold]verdict:[/] {answer.verdict}")
    if answer.evidence_line:
        console.print(("" if answer.verdict else "\n") + escape(answer.evidence_line), highlight=False)
    if answer.citations:
        table = Table("PMID", "year", "evidence", "title", title="citations")
        for c in answer.citations:
            parts = (
                c.evidence_level or c.study_type,
                "" if c.abstract_complete else "partial abstract",
                f"phase {c.phase}" if c.phase else "",
                ", ".join(c.trial_ids),
            )
            kind = ", ".join(part for part in parts if part)
            title = display_title(c.title, c.passage)
            table.add_row(f"[link={c.link}]{c.pmid}[/link]", str(c.year or ""), kind, escape(title))
        console.print(table)
    for warning in answer.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)


def read_questions(path: Path) -> list[str]:
    """Questions from a file: one a line, or JSON Lines with a "question" field; blank and # lines skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc}", 2) from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("{"):
            try:
                line = str(json.loads(line)["question"]).strip()
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise fail(f"{path}:{number}: a JSON line needs a \"question\" field", 2) from exc
        questions.append(line)
    if not questions:
        raise fail(f"{path}: no questions in the file", 2)
    return questions


def ask(
    ctx: typer.Context,
    question: str | None = typer.Argument(None, help="The question, in quotes (or use --questions)."),
    questions_file: Path | None = typer.Option(
        None, "--questions", help="Answer every question in this file (one a line, or JSONL with \"question\")."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the answer object as JSON (one a line for a batch)."),
    backend: AnswerBackend | None = typer.Option(None, help="Answer generator (default: settings, extractive)."),
    year_from: int | None = typer.Option(None, help="Only evidence published in or after this year."),
    year_to: int | None = typer.Option(None, help="Only evidence published in or before this year."),
    pub_type: list[str] = typer.Option(None, "--pub-type", help="Only these publication types; repeatable."),
    exclude_retracted: bool = typer.Option(False, "--exclude-retracted", help="Leave retracted records out."),
    cite: str | None = typer.Option(None, "--cite", help="Also export the cited references: ris, bibtex or csljson."),
    cite_out: Path | None = typer.Option(None, "--cite-out", help="Where --cite writes (default: stdout)."),
    local: bool = typer.Option(
        False, "--local", help="Load the index here even when `secretome-qa serve` runs on this data dir's index."
    ),
) -> None:
    """Answer a question (or a file of them) from the corpus, every sentence with a verified PMID citation.

    When `secretome-qa serve` is running on this data dir's index (at the configured api host and port), the
    question goes to it: its models are loaded already, so the answer comes in about a second.
    """
    if (question is None) == (questions_file is None):
        raise fail("give a question or --questions FILE (not both)", 2)
    questions = read_questions(questions_file) if questions_file else [question or ""]
    filters = build_filters(year_from, year_to, pub_type, exclude_retracted)
    settings = settings_from(ctx)
    with AnswerSource(settings, use_service=not local) as source:
        cited: list[str] = []
        for number, text in enumerate(questions, start=1):
            answer = source.ask(text, filters=filters, backend=backend)
            cited += [c.pmid for c in answer.citations if not answer.refused]
            if as_json:
                typer.echo(answer.model_dump_json(indent=None if questions_file else 2))
                continue
            if questions_file:
                console.rule(f"[bold]{number}/{len(questions)}[/] {escape(text)}", align="left")
            print_answer(answer)
    if cite:
        from cli.review_commands import write_references

        write_references(settings, list(dict.fromkeys(cited)), cite, cite_out)


def chat(
    ctx: typer.Context,
    backend: AnswerBackend | None = typer.Option(None, help="Answer generator (default: settings, extractive)."),
    year_from: int | None = typer.Option(None, help="Only evidence published in or after this year."),
    year_to: int | None = typer.Option(None, help="Only evidence published in or before this year."),
    pub_type: list[str] = typer.Option(None, "--pub-type", help="Only these publication types; repeatable."),
    conversation: str | None = typer.Option(None, "--conversation", help="Continue this conversation id."),
) -> None:
    """Talk to the corpus in the terminal: follow-ups keep their subject; the model loads once.

    Type a question and press Enter; an empty line, `exit` or Ctrl-D ends. Works with piped input too.
    """
    settings = settings_from(ctx)
    filters = build_filters(year_from, year_to, pub_type, False)
    with console.status("loading the index and the model..."):
        answerer = open_answerer(settings)
    from rag.chat import Chat
    from rag.conversations import ConversationStore

    interactive = console.is_terminal
    if interactive:
        console.print("[dim]Ask about stem cell secretomes; follow-ups keep their subject. Empty line ends.[/]")
    with ConversationStore(settings.conversations_path) as store:
        session = Chat(answerer, store)
        while True:
            try:
                message = console.input("[bold cyan]you>[/] " if interactive else "").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if not message or message.lower() in CHAT_EXIT:
                break
            if not interactive:
                console.print(f"[bold cyan]you>[/] {escape(message)}", highlight=False)
            reply = session.send(message, conversation_id=conversation, filters=filters, backend=backend)
            conversation = reply.conversation_id
            standalone = reply.answer.standalone_question
            if standalone and standalone != message:
                console.print(f"[dim]searched: {escape(standalone)}[/]", highlight=False)
            print_answer(reply.answer)
            console.print()
    if conversation:
        console.print(f"[dim]conversation {conversation}[/]", highlight=False)


def brief(
    ctx: typer.Context,
    topic: str = typer.Argument(..., help="The topic, in quotes."),
    fmt: BriefingFormat = typer.Option(BriefingFormat.MD, "--format", help="Output format."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of printing."),
    year_from: int | None = typer.Option(None, help="Only evidence published in or after this year."),
    year_to: int | None = typer.Option(None, help="Only evidence published in or before this year."),
) -> None:
    """Write a cited briefing: summary, mechanisms, sources, trials, regulatory hurdles, evidence gaps."""
    settings = settings_from(ctx)
    from ingest.store import DocumentStore
    from rag.briefing import BriefingBuilder, render_briefing

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
    app.command()(reports_errors(chat))
    app.command()(reports_errors(brief))
