"""Root of the `secretome-qa` command; each concern registers its commands from its own module."""

import json
from pathlib import Path

import typer
from pydantic import ValidationError

from cli import answer_commands, eval_commands, index_commands, ingest_commands, run_command, serve_commands
from cli.context import console, fail, settings_from
from core.settings import Settings, masked_settings

app = typer.Typer(
    help="Cited question answering over PubMed abstracts on stem cell secretomes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Path | None = typer.Option(None, help="Data directory (overrides SECRETOME_DATA_DIR)."),
) -> None:
    try:
        settings = Settings(**({"data_dir": data_dir} if data_dir else {}))
    except ValidationError as exc:
        raise fail(f"invalid settings: {exc}", 2) from exc
    ctx.ensure_object(dict)["settings"] = settings


@app.command()
def config(ctx: typer.Context) -> None:
    """Print the effective settings (secrets masked)."""
    console.print_json(json.dumps(masked_settings(settings_from(ctx))))


ingest_commands.register(app)
index_commands.register(app)
answer_commands.register(app)
serve_commands.register(app)
eval_commands.register(app)
run_command.register(app)
