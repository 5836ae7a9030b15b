"""Peak memory of `secretome-qa serve` with the full index loaded, measured from outside the process.

The service runs as its own subprocess (as a user would start it) on a free port; once `/readyz` says
the index is open, a few questions go through `POST /v1/ask` so the models and caches are in use, and
the peak resident set size is read from the kernel (`VmHWM` in /proc/<pid>/status) for the server and
any children it started. Linux only, like the machines the figures are reported for.
"""

from pathlib import Path
from typing import Any

from core.settings import Settings
from eval.bench._service import READY_TIMEOUT_S, ServeBenchError, running_service
from eval.questionset import load_questions

DEV_SET = Path("../shared/eval/bioasq-dev.jsonl")
QUESTIONS = 20


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.extend(int(child) for child in children)
    return found


def peak_rss_mib(pid: int) -> float:
    """Peak RSS (VmHWM) of a process plus its descendants, in MiB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += _status_kib(current, "VmHWM")
            pending.extend(_children(current))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


def measure(
    settings: Settings, questions_path: Path = DEV_SET, n: int = QUESTIONS, ready_timeout: float = READY_TIMEOUT_S
) -> dict[str, Any]:
    """Start the service over `settings.data_dir`, ask `n` questions, and report its peak RSS."""
    questions = load_questions(questions_path, limit=n).questions
    with running_service(settings.data_dir, ready_timeout) as service:
        rss_ready = peak_rss_mib(service.process.pid)
        for question in questions:
            response = service.client.post("/v1/ask", json={"question": question.question, "backend": "extractive"})
            if response.status_code != 200:
                raise ServeBenchError(f"POST /v1/ask answered {response.status_code}: {response.text[:200]}")
        rss_peak = peak_rss_mib(service.process.pid)
    return {
        "serve_peak_rss_mib": round(rss_peak, 1),
        "serve_peak_rss_at_ready_mib": round(rss_ready, 1),
        "serve_ready_s": round(service.ready_s, 1),
        "serve_questions": len(questions),
    }


def lines(figures: dict[str, Any]) -> list[str]:
    """One printed line per figure."""
    return [
        (
            f"serve peak RSS: {figures['serve_peak_rss_mib']:.0f} MiB (after {figures['serve_questions']} questions; "
            f"{figures['serve_peak_rss_at_ready_mib']:.0f} MiB when ready)"
        ),
        f"serve ready in: {figures['serve_ready_s']:.1f} s",
    ]
