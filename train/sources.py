"""Reading the shared data (never copied into the repository)."""

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("SECRETOME_SHARED_DIR", REPO.parent / "shared"))


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


@dataclass
class SharedData:
    records: dict[str, dict]
    bioasq: list[dict]
    pubmedqa: list[dict]


def load(root: Path | None = None) -> SharedData:
    root = root or shared_dir()
    records = {r["pmid"]: r for r in read_jsonl(root / "corpus" / "records.jsonl")}
    bioasq = list(read_jsonl(root / "eval" / "bioasq-dev.jsonl"))
    pubmedqa = list(read_jsonl(root / "eval" / "pubmedqa-train.jsonl"))
    return SharedData(records, bioasq, pubmedqa)
