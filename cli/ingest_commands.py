"""`ingest`, `runs` and `stats`: getting PubMed records into the document store and seeing what is there.

The ingest package is imported inside command bodies, so `secretome-qa --help` stays instant.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from cli.context import console, err_console, fail, reports_errors, settings_from
from core.errors import InputError

if TYPE_CHECKING:
    from core.settings import Settings
    from ingest.file_ingest import FileOutcome
    from ingest.records import SkippedRecord
    from ingest.stats import StoreStats
    from ingest.store import DocumentStore, UpsertCounts


def print_counts(label: str, counts: UpsertCounts) -> None:
    line = f"{label}: {counts.new} new, {counts.updated} updated, {counts.unchanged} unchanged, {counts.skipped} skipped"
    if counts.new == 0 and counts.updated == 0 and counts.unchanged:
        line += " (nothing new)"
    console.print(line, highlight=False, soft_wrap=True)
    for reason, n in counts.skipped_reasons.items():
        console.print(f"  skipped {n}: {reason}", highlight=False)


def report_skipped(skipped: list[SkippedRecord], limit: int = 10) -> None:
    for problem in skipped[:limit]:
        err_console.print(f"[yellow]skipped[/] {problem.origin}: {problem.reason}", highlight=False)
    if len(skipped) > limit:
        err_console.print(f"[yellow]... and {len(skipped) - limit} more skipped[/]")


def ingest_files(store: DocumentStore, paths: list[Path]) -> list[FileOutcome]:
    from ingest.file_ingest import ingest_file

    outcomes = []
    for path in paths:
        outcome = ingest_file(store, path)
        report_skipped(outcome.skipped)
        if outcome.error:
            err_console.print(f"[bold red]error:[/] {outcome.error}", highlight=False)
        print_counts(f"{path} ({outcome.fmt or 'unread'})", outcome.counts)
        outcomes.append(outcome)
    return outcomes


def ingest_live(
    store: DocumentStore, settings: Settings, query: str | None, preset: str | None,
    mindate: str | None, maxdate: str | None, count_only: bool, update: bool,
) -> None:
    from ingest import live
    from ingest.store import UpsertCounts

    specs = live.load_preset(preset) if preset else [live.SearchSpec(query=query, mindate=mindate, maxdate=maxdate)]
    if count_only:
        table = Table("query", "window", "hits")
        for spec, count in live.count_searches(settings, specs):
            table.add_row(spec.query, f"{spec.mindate or '-'} .. {spec.maxdate or '-'}", str(count))
        console.print(table)
        return
    run_id = store.start_run(source="pubmed", query=preset or query)
    counts = UpsertCounts()
    try:
        counts = live.ingest_searches(store, settings, specs, update=update, run_id=run_id)
    except BaseException as exc:
        store.finish_run(run_id, counts, "failed", str(exc) or type(exc).__name__)
        raise
    store.finish_run(run_id, counts, "ok")
    table = Table("query", "window", "found", "fetched", "new", "updated", title="searches")
    for search in store.searches(run_id):
        window = f"{search['mindate'] or '-'} .. {search['maxdate'] or '-'}"
        found = search["count_found"]
        table.add_row(search["query"], window, "no hits" if found == 0 else str(found), str(search["fetched"]),
                      str(search["stored_new"]), str(search["stored_updated"]))
    console.print(table)
    print_counts(f"pubmed ({preset or query})", counts)


def complete_partial_abstracts(store: DocumentStore, settings: Settings) -> None:
    from ingest.complete import AbstractCompletion
    from ingest.entrez import EntrezClient

    client = EntrezClient(settings.entrez)
    if not client.reachable(timeout=5.0):
        raise fail("NCBI cannot be reached: completing partial abstracts needs live PubMed (nothing was changed)")
    counts = AbstractCompletion(store, client, settings.entrez.batch_size).run()
    console.print(
        f"partial abstracts: {counts.asked} asked, {counts.completed} completed, {counts.no_longer_abstract} with no"
        f" longer abstract in PubMed, {counts.not_returned} not returned; run `secretome-qa index` to re-embed them",
        highlight=False,
        soft_wrap=True,
    )


def ingest(
    ctx: typer.Context,
    from_file: list[Path] = typer.Option(None, "--from-file", help="PubMed XML, MEDLINE text or JSONL; repeatable."),
    query: str | None = typer.Option(None, "--query", help="A PubMed query to run live through E-utilities."),
    preset: str | None = typer.Option(None, "--preset", help="A named set of queries, e.g. seed-review."),
    mindate: str | None = typer.Option(None, help="Earliest publication date, YYYY/MM/DD."),
    maxdate: str | None = typer.Option(None, help="Latest publication date, YYYY/MM/DD."),
    count_only: bool = typer.Option(False, "--count-only", help="Only report each query's hit count."),
    update: bool = typer.Option(False, "--update", help="Fetch only records newer than the query's last run."),
    complete_abstracts: bool = typer.Option(
        False,
        "--complete-abstracts",
        help="Refetch from live PubMed every stored record whose abstract is partial (then run `index`).",
    ),
) -> None:
    """Ingest PubMed records from files or live PubMed into the document store."""
    settings = settings_from(ctx)
    sources = sum(bool(x) for x in (from_file, query, preset, complete_abstracts))
    if sources != 1:
        raise fail("give exactly one of --from-file, --query, --preset or --complete-abstracts", 2)
    if (from_file or complete_abstracts) and (count_only or update or mindate or maxdate):
        raise fail("--count-only, --update, --mindate and --maxdate apply to --query/--preset only", 2)
    from ingest.store import DocumentStore

    with DocumentStore(settings.store_path) as store:
        if complete_abstracts:
            complete_partial_abstracts(store, settings)
            return
        if from_file:
            outcomes = ingest_files(store, from_file)
            if not any(o.read_anything for o in outcomes) or any(o.error for o in outcomes):
                raise typer.Exit(1)
            return
        ingest_live(store, settings, query, preset, mindate, maxdate, count_only, update)


def runs(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    wide: bool = typer.Option(False, "--wide", help="One line per row, however wide (for copying queries)."),
) -> None:
    """List ingest runs and the searches each ran: a reproducible record of the review's search.

    Queries and file names are printed whole on lines of their own (never cut to "file:/…"); --wide prints
    one table row per run or search, however wide.
    """
    from ingest.store import DocumentStore

    with DocumentStore(settings_from(ctx).store_path) as store:
        history = store.runs()
    if as_json:
        console.print_json(json.dumps(history))
        return
    if not history:
        console.print("no ingest runs yet; run `secretome-qa ingest`", highlight=False)
        return
    if not wide:
        print_runs_stacked(history)
        return
    table = Table("run", "source", "query", "started", "outcome", "new", "updated", "unchanged", "skipped")
    for run in history:
        table.add_row(
            str(run["id"]), run["source"], run["query"] or "", run["started_at"], run["outcome"],
            str(run["new"]), str(run["updated"]), str(run["unchanged"]), str(run["skipped"]),
        )
        for search in run["searches"]:
            window = f"{search['mindate'] or '-'}..{search['maxdate'] or '-'}"
            table.add_row(
                "", "  search", search["query"], window, "complete" if search["completed"] else "incomplete",
                str(search["stored_new"]), str(search["stored_updated"]), "", f"found {search['count_found']}",
            )
    from rich.console import Console

    Console(width=100_000, soft_wrap=True).print(table)  # rows never wrap or get cut: for copying


def print_runs_stacked(history: list[dict]) -> None:
    """Each run as a heading line and its query or file name on a line of its own, never cut short."""
    for run in history:
        console.print(
            f"[bold]run {run['id']}[/] {run['outcome']} · {run['started_at']} · {run['new']} new, "
            f"{run['updated']} updated, {run['unchanged']} unchanged, {run['skipped']} skipped",
            highlight=False,
        )
        where = run['source'] + (f": {run['query']}" if run['query'] else '')
        console.print(f"  {escape(where)}", highlight=False, soft_wrap=True)
        for search in run["searches"]:
            window = f"{search['mindate'] or '-'}..{search['maxdate'] or '-'}"
            state = "complete" if search["completed"] else "incomplete"
            console.print(
                f"  search {window}, {state}, found {search['count_found']}, {search['stored_new']} new, "
                f"{search['stored_updated']} updated: {escape(search['query'])}",
                highlight=False, soft_wrap=True,
            )


def print_stats(report: StoreStats, top: int = 25) -> None:
    """Every year (newest first, "no year" last), the top publication types and sources, the on-topic share."""
    console.print(f"records: {report.records}  retracted: {report.retracted}", highlight=False)
    console.print(
        f"abstracts: {report.abstract_complete} complete, {report.abstract_partial} partial; "
        f"on topic (stem cell secretome / EVs): {report.on_topic} of {report.records} ({report.on_topic_share:.1%})",
        highlight=False,
    )
    if report.abstract_partial:
        console.print(
            "  partial abstracts: online, `secretome-qa ingest --complete-abstracts` fetches them whole",
            highlight=False,
        )
    years = {k: v for k, v in report.by_year.items() if k != "unknown"}
    year_rows = sorted(years.items(), reverse=True)
    if "unknown" in report.by_year:
        year_rows.append(("no year", report.by_year["unknown"]))
    for title, rows in (
        ("source", list(report.by_source.items())),
        ("year", year_rows),
        ("publication type", list(report.by_pub_type.items())),
    ):
        table = Table(title, "records", title=f"by {title}")
        shown = rows if title == "year" else rows[:top]
        for key, n in shown:
            table.add_row(key, str(n))
        if len(rows) > len(shown):
            rest = sum(n for _, n in rows[len(shown):])
            table.add_row(f"... {len(rows) - len(shown)} more", str(rest), style="dim")
        console.print(table)


def stats(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Counts by source, year, publication type, abstract completeness and on-topic share."""
    from ingest.stats import store_stats
    from ingest.store import DocumentStore

    settings = settings_from(ctx)
    if not settings.store_path.exists():
        raise InputError(f"no document store at {settings.store_path}; run `secretome-qa ingest` first")
    with DocumentStore(settings.store_path) as store:
        report = store_stats(store)
    if as_json:
        console.print_json(report.model_dump_json())
        return
    print_stats(report)


def register(app: typer.Typer) -> None:
    app.command()(reports_errors(ingest))
    app.command()(reports_errors(runs))
    app.command()(reports_errors(stats))
