"""What every command shares: settings, the console, and one mapping from errors to exit codes."""

import os
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import typer
from rich.console import Console

from core.errors import SecretomeQAError

if TYPE_CHECKING:  # core.settings pulls in pydantic-settings: not needed for `--help`
    from core.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def settings_from(ctx: typer.Context) -> "Settings":
    """The Settings the root callback built for this invocation."""
    return ctx.ensure_object(dict)["settings"]


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn project errors into a message on stderr and the error's exit code, never a traceback."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except SecretomeQAError as exc:
            raise fail(str(exc), exc.exit_code) from exc

    return wrapper
