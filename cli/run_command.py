"""`secretome-qa run`: the main job behind `make run` — ingest, index, serve."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from cli.context import console, err_console, fail, reports_errors, settings_from
from cli.index_commands import print_summary
from cli.ingest_commands import ingest_files, ingest_live
from cli.serve_commands import serve

if TYPE_CHECKING:
    from core.settings import Settings

PRESET = "seed-review"


def ingest_default_corpus(settings: Settings, offline: bool) -> None:
    """Live PubMed (the seed review's searches) when NCBI answers, else the offline snapshot."""
    from ingest.live import ncbi_reachable
    from ingest.store import DocumentStore

    with DocumentStore(settings.store_path) as store:
        if not offline and ncbi_reachable(settings):
            console.print(f"NCBI reachable: running the {PRESET} searches", highlight=False)
            update = any(run["query"] == PRESET and run["outcome"] == "ok" for run in store.runs())
            ingest_live(store, settings, None, PRESET, None, None, count_only=False, update=update)
            return
        corpus = settings.corpus_path
        console.print(f"NCBI not reachable: ingesting the offline corpus {corpus}", highlight=False)
        console.print(
            "[dim]The offline snapshot is general biomedical PubMed records (mostly BioASQ snippets without title "
            "or year); only a small share is on stem cell secretomes (`secretome-qa stats` shows it). A topic "
            f"corpus comes from the live `{PRESET}` searches.[/]",
            highlight=False,
        )
        if not corpus.is_file():
            raise fail(f"{corpus}: offline corpus not found; set SECRETOME_CORPUS_PATH or go online", 2)
        [outcome] = ingest_files(store, [corpus])
        if outcome.error and not outcome.read_anything:
            raise typer.Exit(1)


def run(
    ctx: typer.Context,
    offline: bool = typer.Option(False, "--offline", help="Skip the NCBI check and use the offline corpus."),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Serve the API once the index is built."),
    host: str | None = typer.Option(None, help="Interface to bind (default: SECRETOME_API_HOST)."),
    port: int | None = typer.Option(None, min=1, max=65535, help="Port (default: SECRETOME_API_PORT)."),
) -> None:
    """Ingest the default corpus, bring the index up to date, then serve the API on 127.0.0.1:8000.

    When serving, only BM25 is built before the server starts (seconds); the service builds the vectors in
    the background and answers meanwhile with BM25 and the vectors built so far (`/readyz` shows progress).
    """
    from rag.index.indexer import Indexer

    settings = settings_from(ctx)
    ingest_default_corpus(settings, offline)
    summary = Indexer(settings).run(vectors=not serve_after)
    print_summary(summary)
    if serve_after:
        if summary.pending:
            console.print(
                f"Serving now with BM25; the vectors of {summary.pending:,} records are built in the background "
                "(GET /readyz shows progress; answers say so until it is done).",
                highlight=False,
            )
        serve(ctx, host=host, port=port, log_format="auto", workers=None)
    else:
        err_console.print("index ready; not serving (--no-serve)")


def register(app: typer.Typer) -> None:
    app.command()(reports_errors(run))
