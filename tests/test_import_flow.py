"""The layout's import rules, read from the source: stages import only downstream of themselves.

index -> retrieve -> answer inside rag/; api -> rag -> ingest -> core; eval -> rag; nothing but cli
imports api. A violation names the file and the import.
"""

import ast
from pathlib import Path

from tests.conftest import REPO

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "rag/index": ("rag.retrieve", "rag.answer", "rag.chat", "rag.briefing", "rag.pipeline", "api", "cli", "eval"),
    "rag/retrieve": ("rag.answer", "rag.chat", "rag.briefing", "rag.pipeline", "api", "cli", "eval"),
    "rag/answer": ("rag.chat", "rag.briefing", "rag.pipeline", "api", "cli", "eval"),
    "rag": ("api", "cli", "eval"),
    "ingest": ("rag", "api", "cli", "eval"),
    "eval": ("api", "cli"),
    "api": ("cli", "eval"),
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _violations(folder: str, forbidden: tuple[str, ...], root: Path = REPO) -> list[str]:
    found = []
    for path in sorted((root / folder).rglob("*.py")):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(root)} imports {name}")
    return found


def test_every_stage_imports_only_downstream_of_itself():
    problems = [v for folder, forbidden in FORBIDDEN.items() for v in _violations(folder, forbidden)]
    assert not problems, "\n".join(problems)


def test_the_checker_sees_a_violation(tmp_path):
    bad = tmp_path / "rag" / "index"
    bad.mkdir(parents=True)
    (bad / "oops.py").write_text("from rag.answer.answerer import Answerer\n")
    assert _violations("rag/index", FORBIDDEN["rag/index"], tmp_path) == ["rag/index/oops.py imports rag.answer.answerer"]
