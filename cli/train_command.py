"""`train`: rebuild the trained models (relevance cross-encoder, yes/no verdict, question kind, answer tagger,
sentence selector) from ../shared; `verdict-polarity` trains the opt-in second verdict model."""

import typer

from cli.context import reports_errors, settings_from


@reports_errors
def train(
    ctx: typer.Context,
    model: str = typer.Argument(
        "all",
        help="relevance, verdict, verdict-polarity, question-kind, answer-spans, sentence-selector (needs a built"
        " index) or all.",
    ),
    seed: int = typer.Option(13, help="Seed for data sampling, initialisation and shuffling."),
    out: str | None = typer.Option(None, help="Where artifacts and cards go (default: rag/models)."),
) -> None:
    """Train the models from ../shared with fixed seeds and print their held-out scores (minutes on CPU)."""
    from train.__main__ import main

    argv = [
        model,
        "--seed",
        str(seed),
        "--data-dir",
        str(settings_from(ctx).data_dir),
        *(["--out", out] if out else []),
    ]
    raise typer.Exit(main(argv))


def register(app: typer.Typer) -> None:
    app.command()(train)
