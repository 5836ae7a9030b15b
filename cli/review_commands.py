"""`map`, `table`, `prisma` and `cite`: the review workbench from the command line.

rag is imported inside the command bodies, so `secretome-qa --help` stays light.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.context import console, err_console, reports_errors, settings_from

CITE_HELP = "Also write the references as ris, bibtex or csljson (to --cite-out, else stdout)."
FACET_HELP = "Facet: product, source, indication, evidence, preconditioning or year."


def _input_error(message: str) -> Exception:
    from core.errors import InputError

    return InputError(message)


def _filters(year_from: int | None, year_to: int | None, exclude_retracted: bool):
    from rag.types import SearchFilters

    if year_from and year_to and year_from > year_to:
        raise _input_error(f"--year-from {year_from} is after --year-to {year_to}")
    if not (year_from or year_to or exclude_retracted):
        return None
    return SearchFilters(year_from=year_from, year_to=year_to, exclude_retracted=exclude_retracted)


def _searcher(settings):
    from rag.retrieve.searcher import Searcher

    return Searcher.from_settings(settings)


def write_references(settings, pmids: list[str], fmt: str, out: Path | None) -> None:
    """The references of `pmids` as RIS, BibTeX or CSL-JSON, to `out` or stdout (shared by ask, search, table)."""
    from rag.review.workbench import references

    text, missing = references(settings, pmids, fmt)
    if missing:
        err_console.print(f"[yellow]warning:[/] not in the store: {', '.join(missing)}", highlight=False)
    if out:
        out.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {len(pmids) - len(missing)} references to {out}", highlight=False)
    else:
        console.out(text, end="", highlight=False)


def map_command(
    ctx: typer.Context,
    rows: str = typer.Option("source", "--rows", help=FACET_HELP),
    cols: str = typer.Option("indication", "--cols", help=FACET_HELP),
    query: str | None = typer.Option(None, "--query", "-q", help="Map a search's results instead of the whole store."),
    k: int = typer.Option(500, "--k", min=1, max=2000, help="With --query: how many records to map."),
    year_from: int | None = typer.Option(None, "--year-from"),
    year_to: int | None = typer.Option(None, "--year-to"),
    exclude_retracted: bool = typer.Option(False, "--exclude-retracted"),
    hide_unlabelled: bool = typer.Option(
        False, "--hide-unlabelled", help="Leave out records with an unknown / not stated label on either axis."
    ),
    out: Path | None = typer.Option(None, "--out", help="map.png, .svg, .csv or .json (default: a table here)."),
) -> None:
    """Evidence map: record counts over two facets (source x indication by default), each cell's PMIDs."""
    from rag.review.evidence_map import check_facet, write_map
    from rag.review.workbench import evidence_map

    settings = settings_from(ctx)
    check_facet(rows)
    check_facet(cols)
    filters = _filters(year_from, year_to, exclude_retracted)
    searcher = _searcher(settings) if query else None
    try:
        result = evidence_map(
            settings, rows=rows, cols=cols, query=query, k=k, filters=filters, hide_unlabelled=hide_unlabelled,
            search=(lambda q, n, f: searcher.search(q, k=n, filters=f)) if searcher else None,
        )
    finally:
        if searcher:
            searcher.close()
    if out:
        write_map(result, out)
        err_console.print(f"wrote the {len(result.rows)} x {len(result.cols)} map of {result.records} records to {out}")
        return
    table = Table(f"{rows} \\ {cols}", *result.cols, title=f"evidence map ({result.records} records)")
    for row, counts in zip(result.rows, result.matrix(), strict=True):
        table.add_row(row, *(str(n) if n else "" for n in counts))
    console.print(table)


def table_command(
    ctx: typer.Context,
    query: str = typer.Option(..., "--query", "-q", help="The search whose records make the table."),
    k: int = typer.Option(20, "--k", min=1, max=500, help="Records."),
    year_from: int | None = typer.Option(None, "--year-from"),
    year_to: int | None = typer.Option(None, "--year-to"),
    exclude_retracted: bool = typer.Option(False, "--exclude-retracted"),
    out: Path | None = typer.Option(None, "--out", help="evidence.csv, .xlsx or .json (default: a table here)."),
    cite: str | None = typer.Option(None, "--cite", help=CITE_HELP),
    cite_out: Path | None = typer.Option(None, "--cite-out", help="Where --cite writes (default: stdout)."),
) -> None:
    """Evidence table: one row per retrieved record with its profile and best passage."""
    from rag.review.evidence_table import write_table
    from rag.review.workbench import evidence_table

    if not query.strip():
        raise _input_error("the query is empty")
    settings = settings_from(ctx)
    searcher = _searcher(settings)
    try:
        result = evidence_table(
            settings, query, k, _filters(year_from, year_to, exclude_retracted),
            lambda q, n, f: searcher.search(q, k=n, filters=f),
        )
    finally:
        searcher.close()
    if out:
        write_table(result, out)
        err_console.print(f"wrote {len(result.rows)} rows to {out}")
    elif not cite:
        table = Table("PMID", "year", "product", "source", "indication", "evidence", "title")
        for row in result.rows:
            table.add_row(row.pmid, str(row.year or ""), row.product, row.source, row.indication,
                          row.evidence_level + (f" {row.phase}" if row.phase else ""), row.title[:80])
        console.print(table)
    if cite:
        write_references(settings, [row.pmid for row in result.rows], cite, cite_out)


def cite_command(
    ctx: typer.Context,
    pmids: Annotated[list[str] | None, typer.Argument(help="PMIDs to export.")] = None,
    search: str | None = typer.Option(None, "--search", help="Export the records this search returns."),
    ask: str | None = typer.Option(None, "--ask", help="Export the references this question's answer cites."),
    k: int | None = typer.Option(None, "--k", min=1, max=500, help="With --search: records."),
    fmt: str = typer.Option("ris", "--format", "-f", help="ris, bibtex or csljson."),
    out: Path | None = typer.Option(None, "--out", help="File to write (default: stdout)."),
) -> None:
    """Export references (RIS, BibTeX, CSL-JSON) of PMIDs, a search's results or an answer's citations."""
    settings = settings_from(ctx)
    chosen = sum(bool(x) for x in (pmids, search, ask))
    if chosen != 1:
        raise _input_error("give exactly one of: PMIDs, --search QUERY, --ask QUESTION")
    if search:
        searcher = _searcher(settings)
        try:
            pmids = [e.pmid for e in searcher.search(search, k=k)]
        finally:
            searcher.close()
    elif ask:
        from rag.pipeline import build_pipeline

        pipeline = build_pipeline(settings)
        try:
            pmids = [c.pmid for c in pipeline.answerer.ask(ask).citations]
        finally:
            pipeline.close()
    write_references(settings, list(pmids or []), fmt, out)


def prisma_command(
    ctx: typer.Context,
    run: int | None = typer.Option(None, "--run", help="Ingest run id (default: the newest with searches)."),
    out: Path | None = typer.Option(None, "--out", help="prisma.svg or .png (default: the counts here)."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """PRISMA 2020 flow diagram of an ingest run: identified, duplicates, screened, excluded, included."""
    from ingest.store import DocumentStore
    from rag.review.prisma import indexed_pmids, plot_prisma, prisma_counts

    settings = settings_from(ctx)
    if not settings.store_path.exists():
        raise _input_error(f"no document store at {settings.store_path}; run `secretome-qa ingest` first")
    with DocumentStore(settings.store_path) as store:
        counts = prisma_counts(store, indexed_pmids(settings), run)
    if out:
        if out.suffix.lower() not in (".svg", ".png"):
            raise _input_error(f"cannot write a PRISMA diagram to {out}: use .svg or .png")
        plot_prisma(counts, out)
        err_console.print(f"wrote the PRISMA diagram of run {counts.run_id} to {out}")
    if as_json or not out:
        console.print_json(json.dumps(counts.model_dump()))


def register(app: typer.Typer) -> None:
    app.command("map")(reports_errors(map_command))
    app.command("table")(reports_errors(table_command))
    app.command("cite")(reports_errors(cite_command))
    app.command("prisma")(reports_errors(prisma_command))
