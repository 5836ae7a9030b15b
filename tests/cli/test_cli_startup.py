"""`secretome-qa --help` is instant: no command module imports rag, ingest, eval, api or the model libraries
at import time (they took 3-5 s before the command modules imported lazily)."""

import subprocess
import sys

from tests.cli.conftest import CLI, CLI_ENV

HEAVY = ("torch", "transformers", "onnxruntime", "chromadb", "langchain_core", "numpy", "rag", "ingest", "eval",
         "api", "pydantic", "pydantic_settings")
# The option choices (stdlib enums) are the one part of rag the command line needs before a command runs.
ALLOWED = {"rag", "rag.choices"}


def test_importing_the_cli_loads_no_stage_and_no_model_library() -> None:
    code = "import sys, cli.main; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env=CLI_ENV).stdout.split()
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY and m not in ALLOWED)
    assert not heavy, f"cli.main imports {heavy} at import time"


def test_help_lists_the_commands() -> None:
    """How long it takes is measured by `time secretome-qa --help` (README), not asserted here."""
    result = subprocess.run([str(CLI), "--help"], check=False, capture_output=True, text=True, env=CLI_ENV, timeout=60)
    assert result.returncode == 0, result.stderr
    for command in ("ask", "chat", "search", "stats", "runs", "serve", "eval", "train"):
        assert command in result.stdout
