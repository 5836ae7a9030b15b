"""Wall time of one `secretome-qa ask "..."` from a new process, as a user types it: answered in process
(`--local`: imports, index and models loaded for the one question) and through a running `secretome-qa serve`
on the same index (the CLI finds it at the configured api port).

Each figure is the median over `n` dev questions, each asked once; the service is started (and warmed by its
own start-up) before its runs are timed, so its figure is what a user with `make run` in another terminal gets.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from core.settings import Settings
from eval.bench._service import OFFLINE_ENV, READY_TIMEOUT_S, ServeBenchError, running_service
from eval.questionset import load_questions

DEV_SET = Path("../shared/eval/bioasq-dev.jsonl")
QUESTIONS = 5
VIA_SERVICE = "answered by the service at"
CLI = Path(sys.executable).with_name("secretome-qa")


def timed_ask(data_dir: Path, question: str, *options: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Seconds of wall time for one `ask`, and its stderr."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(CLI), "--data-dir", str(data_dir), "ask", "--json", *options, question],
        capture_output=True, text=True, check=False, env=os.environ | OFFLINE_ENV | (env or {}),
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise ServeBenchError(f"`secretome-qa ask` exited with {done.returncode}: {done.stderr[-500:]}")
    return elapsed, done.stderr


def measure(
    settings: Settings, questions_path: Path = DEV_SET, n: int = QUESTIONS, ready_timeout: float = READY_TIMEOUT_S
) -> dict[str, Any]:
    """Time `n` cold asks in process, then `n` through a service over `settings.data_dir`."""
    questions = [q.question for q in load_questions(questions_path, limit=n).questions]
    local = [timed_ask(settings.data_dir, q, "--local")[0] for q in questions]
    with running_service(settings.data_dir, ready_timeout) as service:
        served = []
        for question in questions:
            elapsed, stderr = timed_ask(settings.data_dir, question, env={"SECRETOME_API__PORT": str(service.port)})
            if VIA_SERVICE not in stderr:
                raise ServeBenchError(f"`ask` did not use the service on port {service.port}: {stderr[-500:]}")
            served.append(elapsed)
    return {
        "ask_cold_local_median_s": round(statistics.median(local), 2),
        "ask_cold_local_max_s": round(max(local), 2),
        "ask_cold_via_service_median_s": round(statistics.median(served), 2),
        "ask_cold_via_service_max_s": round(max(served), 2),
        "ask_cold_questions": len(questions),
    }


def lines(figures: dict[str, Any]) -> list[str]:
    """One printed line per figure."""
    n = figures["ask_cold_questions"]
    return [
        f"cold ask, {how}: median {figures[f'ask_cold_{key}_median_s']:.2f} s, max {figures[f'ask_cold_{key}_max_s']:.2f} s"
        f" ({n} questions, one process each)"
        for how, key in (("in process (--local)", "local"), ("through a running serve", "via_service"))
    ]
