"""Peak memory of `secretome-qa serve` with the full index loaded, measured from outside the process.

The service runs as its own subprocess (as a user would start it) on a free port; once `/readyz` says
the index is open, a few questions go through `POST /v1/ask` so the models and caches are in use, and
the peak resident set size is read from the kernel (`VmHWM` in /proc/<pid>/status) for the server and
any children it started. Linux only, like the machines the figures are reported for.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from core.errors import SecretomeQAError
from core.settings import Settings
from eval.questionset import load_questions

DEV_SET = Path("../shared/eval/bioasq-dev.jsonl")
QUESTIONS = 20
READY_TIMEOUT_S = 600.0


class ServeBenchError(SecretomeQAError):
    """The service under measurement did not start or did not answer."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


def _wait_ready(client: httpx.Client, process: subprocess.Popen, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise ServeBenchError(f"`secretome-qa serve` exited with code {process.returncode} before it was ready")
        try:
            if client.get("/readyz").status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise ServeBenchError(f"`secretome-qa serve` was not ready within {timeout:.0f} s")


def measure(
    settings: Settings, questions_path: Path = DEV_SET, n: int = QUESTIONS, ready_timeout: float = READY_TIMEOUT_S
) -> dict[str, Any]:
    """Start the service over `settings.data_dir`, ask `n` questions, and report its peak RSS."""
    questions = load_questions(questions_path, limit=n).questions
    port = free_port()
    command = [
        sys.executable, "-c", "from cli.main import app; app()",
        "--data-dir", str(settings.data_dir), "serve", "--host", "127.0.0.1", "--port", str(port),
    ]
    env = os.environ | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    with tempfile.TemporaryFile() as log:
        # the service's log goes to a file, not a pipe nobody reads, so it can never block the server
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120.0) as client:
                ready_s = _wait_ready(client, process, ready_timeout)
                rss_ready = peak_rss_mib(process.pid)
                for question in questions:
                    response = client.post("/v1/ask", json={"question": question.question, "backend": "extractive"})
                    if response.status_code != 200:
                        raise ServeBenchError(f"POST /v1/ask answered {response.status_code}: {response.text[:200]}")
                rss_peak = peak_rss_mib(process.pid)
        except ServeBenchError as exc:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-2000:]
            raise ServeBenchError(f"{exc}; service log ends with:\n{tail}") from exc
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return {
        "serve_peak_rss_mib": round(rss_peak, 1),
        "serve_peak_rss_at_ready_mib": round(rss_ready, 1),
        "serve_ready_s": round(ready_s, 1),
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
