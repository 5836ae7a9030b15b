"""`secretome-qa serve` as its own subprocess on a free port, as a user starts it, for benchmarks that
measure the service (or a client of it) from outside."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.errors import SecretomeQAError

READY_TIMEOUT_S = 600.0
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


class ServeBenchError(SecretomeQAError):
    """The service under measurement did not start or did not answer."""


@dataclass
class RunningService:
    process: subprocess.Popen
    client: httpx.Client
    port: int
    ready_s: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


@contextmanager
def running_service(data_dir: Path, ready_timeout: float = READY_TIMEOUT_S) -> Iterator[RunningService]:
    """The service over `data_dir`, ready (its index open); stopped on exit. Failures carry the log's tail."""
    port = free_port()
    command = [
        sys.executable, "-c", "from cli.main import app; app()",
        "--data-dir", str(data_dir), "serve", "--host", "127.0.0.1", "--port", str(port),
    ]
    with tempfile.TemporaryFile() as log:
        # the service's log goes to a file, not a pipe nobody reads, so it can never block the server
        process = subprocess.Popen(command, env=os.environ | OFFLINE_ENV, stdout=log, stderr=subprocess.STDOUT)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120.0) as client:
                ready_s = _wait_ready(client, process, ready_timeout)
                yield RunningService(process, client, port, ready_s)
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
