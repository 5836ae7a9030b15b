"""Benchmarks that print the project's measured figures (`make bench` = `python -m eval.bench`).

Each module here exposes `measure(settings) -> dict` (the figures) and `lines(figures) -> list[str]` (one
printed line per figure); `run` prints those lines and writes the figures to `bench-results/<module>.json`,
with the settings and the time of the run, so a reported number can be traced to what produced it.
"""

import importlib
import json
import pkgutil
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from core.settings import Settings, masked_settings

RESULTS_DIR = Path("bench-results")


def module_names() -> list[str]:
    """Every benchmark module in this package, in name order."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def write_results(name: str, figures: dict[str, Any], settings: Settings, directory: Path = RESULTS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    payload = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "processor": platform.processor()},
        "settings": masked_settings(settings),
        "figures": figures,
    }
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


def run(module: ModuleType | str, settings: Settings | None = None, **options: Any) -> dict[str, Any]:
    """Measure one benchmark module, print its lines and write its JSON; returns the figures."""
    if isinstance(module, str):
        module = importlib.import_module(f"eval.bench.{module}")
    settings = settings or Settings()
    figures = module.measure(settings, **options)
    for line in module.lines(figures):
        print(line, flush=True)
    path = write_results(module.__name__.rsplit(".", 1)[-1], figures, settings)
    print(f"  -> {path}", flush=True)
    return figures
