"""Root of the `secretome-qa` command; each concern registers its commands from its own module.

`secretome-qa --help` must be instant: command modules import rag, ingest, eval and api only inside
command bodies (tests/cli/test_cli_startup.py checks which modules `--help` loads).
"""

import atexit
import gc
import json
from pathlib import Path

import typer

from cli import (
    answer_commands,
    eval_commands,
    index_commands,
    ingest_commands,
    review_commands,
    run_command,
    serve_commands,
    train_command,
)
from cli.context import console, fail, settings_from

# A command's objects die with the process. Frozen, the collector skips them in the passes it makes while
# the interpreter shuts down: about 0.15 s of a one-shot `ask`, which loads a thousand modules.
atexit.register(gc.freeze)

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
    from pydantic import ValidationError

    from core.settings import Settings

    try:
        settings = Settings(**({"data_dir": data_dir} if data_dir else {}))
    except ValidationError as exc:
        raise fail(f"invalid settings: {exc}", 2) from exc
    ctx.ensure_object(dict)["settings"] = settings


@app.command()
def config(ctx: typer.Context) -> None:
    """Print the effective settings (secrets masked)."""
    from core.settings import masked_settings

    console.print_json(json.dumps(masked_settings(settings_from(ctx))))


ingest_commands.register(app)
index_commands.register(app)
answer_commands.register(app)
serve_commands.register(app)
eval_commands.register(app)
run_command.register(app)
review_commands.register(app)
train_command.register(app)
