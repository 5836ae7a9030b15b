"""`index` and `search`: build the hybrid index from the document store and query it.

rag is imported inside the command bodies, so `secretome-qa --help` stays instant.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.context import console, reports_errors, settings_from
from core.errors import InputError
from rag.choices import RetrievalMode

if TYPE_CHECKING:
    from core.settings import Settings
    from rag.index.chroma_store import DenseReader
    from rag.retrieve.searcher import Searcher
    from rag.types import Evidence



def open_searcher(settings: Settings) -> Searcher:
    """The searcher over the settings' index, Chroma opening in a helper process while BM25 and the model load."""
    from rag.index.chroma_process import open_beside_helper

    def build(dense: DenseReader) -> Searcher:
        from rag.retrieve.searcher import Searcher

        return Searcher.from_settings(settings, dense=dense)

    return open_beside_helper(settings, build)


def print_summary(summary) -> None:
    table = Table("", "", title="index", show_header=False)
    rate = f" ({summary.records_per_second:.0f} records/s)" if (summary.new + summary.changed) and not summary.pending else ""
    rows = [
        ("collection", f"{summary.collection} ({summary.chroma_mode})"),
        ("records", str(summary.records)),
        ("new / changed / removed", f"{summary.new} / {summary.changed} / {summary.removed}"),
        ("unchanged", str(summary.unchanged)),
        ("chunks", str(summary.chunks)),
        ("chunks encoded / from cache", f"{summary.chunks_encoded} / {summary.chunks_cached}"),
        ("sentences encoded / from cache", f"{summary.sentences_encoded} / {summary.sentences_cached}"),
        ("bm25 rebuilt", "yes" if summary.bm25_rebuilt else "no (nothing changed)"),
        ("time", f"{summary.seconds:.1f} s{rate}"),
    ]
    if summary.pending:
        rows.append(("vectors pending", f"{summary.pending} records (BM25 covers them already)"))
    rows += [("repaired", line) for line in getattr(summary, "repaired", [])]
    rows += [("skipped", line) for line in getattr(summary, "skipped", [])]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


def known_pub_types(settings: Settings) -> dict[str, int]:
    """Publication types in the store with their record counts (empty when no record has one)."""
    from ingest.stats import store_stats
    from ingest.store import DocumentStore

    if not settings.store_path.exists():
        return {}
    with DocumentStore(settings.store_path) as store:
        counts = store_stats(store).by_pub_type
    return {name: n for name, n in counts.items() if name != "(none)"}


def why_no_match(settings: Settings, pub_types: list[str]) -> str | None:
    """Why a --pub-type filter cannot match, or None when the store has records of one of those types."""
    known = known_pub_types(settings)
    if not known:
        return (
            "no record in this store has a publication type (the offline snapshot's records mostly lack one), "
            "so --pub-type matches nothing; drop it, or ingest from PubMed (--preset seed-review) for typed records"
        )
    lowered = {name.lower() for name in known}
    if not any(p.lower() in lowered for p in pub_types):
        common = ", ".join(list(known)[:8])
        return f"no record has publication type {', '.join(pub_types)}; the store has: {common}"
    return None


def print_results(query: str, results: list[Evidence], hint: str | None = None) -> None:
    from rag.display import display_title

    if not results:
        console.print(f"no records match {query!r}", highlight=False)
        if hint:
            console.print(f"[yellow]why:[/] {escape(hint)}", highlight=False, soft_wrap=True)
        return
    for rank, item in enumerate(results, start=1):
        year = item.year or "n.d."
        console.print(
            f"[bold]{rank:>2}. PMID {item.pmid}[/] ({year}) score {item.score:.4f} relevance {item.relevance:.3f}",
            highlight=False,
        )
        first = item.passages[0].text if item.passages else ""
        console.print(f"    {escape(display_title(item.title, first))}", highlight=False, soft_wrap=True)
        for passage in item.passages[:1]:
            text = passage.text if len(passage.text) <= 300 else passage.text[:297] + "..."
            console.print(f"    [dim]{escape(text)}[/]", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command()
    @reports_errors
    def index(
        ctx: typer.Context,
        rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and build it from scratch."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bars."),
    ) -> None:
        """Build or update the hybrid (Chroma + BM25) index from the document store; incremental by default."""
        from rag.index.indexer import Indexer

        summary = Indexer(settings_from(ctx)).run(rebuild=rebuild, show_progress=not quiet)
        print_summary(summary)

    @app.command()
    @reports_errors
    def search(
        ctx: typer.Context,
        query: str = typer.Argument(..., help="What to look for."),
        k: int | None = typer.Option(None, "--k", min=1, max=200, help="Records to return (default: settings)."),
        year_from: int | None = typer.Option(None, "--year-from", help="Earliest publication year."),
        year_to: int | None = typer.Option(None, "--year-to", help="Latest publication year."),
        pub_type: Annotated[
            list[str] | None, typer.Option("--pub-type", help="Publication type to keep; repeatable.")
        ] = None,
        source: Annotated[list[str] | None, typer.Option("--source", help="Record source to keep; repeatable.")] = None,
        has_trial_id: bool | None = typer.Option(
            None, "--has-trial-id/--no-trial-id", help="Only records with (or without) a trial registry id."
        ),
        exclude_retracted: bool = typer.Option(False, "--exclude-retracted", help="Leave retracted records out."),
        mode: RetrievalMode = typer.Option(RetrievalMode.HYBRID, "--mode", help="Retriever."),
        as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
        cite: str | None = typer.Option(None, "--cite", help="Also export the results' references: ris, bibtex or csljson."),
        cite_out: Path | None = typer.Option(None, "--cite-out", help="Where --cite writes (default: stdout)."),
    ) -> None:
        """Search the index: ranked PMIDs with their best passages."""
        if not query.strip():
            raise InputError("the query is empty")
        if year_from and year_to and year_from > year_to:
            raise InputError(f"--year-from {year_from} is after --year-to {year_to}")
        from pydantic import ValidationError

        from rag.types import SearchFilters

        try:
            filters = SearchFilters(
                year_from=year_from,
                year_to=year_to,
                pub_types=pub_type or [],
                sources=source or [],
                has_trial_id=has_trial_id,
                exclude_retracted=exclude_retracted,
            )
        except ValidationError as exc:
            raise InputError(f"invalid filter: {exc.errors()[0]['msg']}") from exc
        searcher = open_searcher(settings_from(ctx))
        try:
            results = searcher.search(query, k=k, filters=filters, mode=mode)
        finally:
            searcher.close()
        hint = why_no_match(settings_from(ctx), pub_type) if pub_type and not results else None
        if as_json:
            payload = {"query": query, "mode": mode.value, "results": [r.model_dump(mode="json") for r in results]}
            if hint:
                payload["hint"] = hint
            typer.echo(json.dumps(payload, indent=2))
        else:
            print_results(query, results, hint)
        if cite:
            from cli.review_commands import write_references

            write_references(settings_from(ctx), [r.pmid for r in results], cite, cite_out)
