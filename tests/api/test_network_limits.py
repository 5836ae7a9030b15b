"""What a client on the network can and cannot do to a real `secretome-qa serve`: spoofing
`X-Forwarded-For` does not escape the rate limit, two workers share one limit, request heads are capped
with JSON errors, and only admin uploads get the larger body limit."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from ingest.store import DocumentStore
from tests.api.conftest import ADMIN_KEY, small_settings, synthetic_records
from tests.api.live_server import LiveServer
from tests.chroma_server import free_port

CLI = str(Path(sys.executable).with_name("secretome-qa"))
RECORD = f"/v1/records/{synthetic_records()[0].pmid}"


class Served:
    """`secretome-qa serve` as a subprocess over a synthetic store (no index)."""

    def __init__(self, tmp_path: Path, *args: str, **env: str):
        data_dir = tmp_path / "data"
        with DocumentStore(data_dir / "store.sqlite") as store:
            store.upsert(synthetic_records())
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [CLI, "--data-dir", str(data_dir), "serve", "--port", str(self.port), "--log-format", "json", *args]
        environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **env}
        self.stderr = (tmp_path / "serve.log").open("w+")
        self.process = subprocess.Popen(command, cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL,
                                        stderr=self.stderr, text=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, self.log()
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.2)

    def log(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)

    def raw(self, head: bytes) -> bytes:
        """Send a raw request head, return what comes back (b"" when the server just closes)."""
        data = b""
        with socket.create_connection(("127.0.0.1", self.port), timeout=15) as conn:
            try:
                conn.sendall(head)
            except (ConnectionResetError, BrokenPipeError):
                pass  # the server stopped reading: what it answered (if anything) is still readable
            try:
                while chunk := conn.recv(65536):
                    data += chunk
            except (ConnectionResetError, BrokenPipeError):
                pass
        return data


@pytest.fixture
def served(tmp_path) -> Iterator[Served]:
    server = Served(tmp_path, SECRETOME_API__RATE_LIMIT_PER_MINUTE="5")
    yield server
    server.stop()


def test_a_fresh_x_forwarded_for_per_request_does_not_escape_the_limit(served: Served) -> None:
    statuses = []
    with httpx.Client(base_url=served.url) as client:
        for i in range(8):
            spoofed = {"X-Forwarded-For": f"203.0.113.{i}", "X-Real-IP": f"198.51.100.{i}"}
            statuses.append(client.get(RECORD, headers=spoofed).status_code)
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3, statuses
    served.stop()
    access = [json.loads(line) for line in served.log().splitlines() if line.startswith("{")]
    clients = {entry.get("client") for entry in access if entry.get("message") == "request"}
    assert clients == {"127.0.0.1"}, f"only the peer address is logged, never a header: {clients}"


def test_request_heads_are_capped_with_json_errors(served: Served) -> None:
    long_path = served.raw(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    many = b"".join(b"X-Synthetic-%d: v\r\n" % i for i in range(1_000))
    many_headers = served.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + b"Connection: close\r\n\r\n")
    huge = served.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 16_000_000 + b"\r\n\r\n")
    for response, status, code in ((long_path, 414, "uri_too_long"), (many_headers, 431, "headers_too_large")):
        head, _, body = response.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 %d" % status), head[:200]
        assert b"application/json" in head.lower() and json.loads(body)["error"]["code"] == code
    assert not huge.startswith(b"HTTP/1.1 200"), "a 16 MB header must not be served"
    assert httpx.get(f"{served.url}/healthz").status_code == 200, "the server survives"


def test_two_workers_share_one_rate_limit(tmp_path) -> None:
    server = Served(tmp_path, "--workers", "2", SECRETOME_API__RATE_LIMIT_PER_MINUTE="6")
    try:
        workers = subprocess.run(["pgrep", "-P", str(server.process.pid)], check=False, capture_output=True, text=True).stdout.split()

        def get(_: int) -> int:
            with httpx.Client(base_url=server.url) as client:  # a new connection each time
                return client.get(RECORD).status_code

        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(get, range(20)))
    finally:
        server.stop()
    assert len(workers) >= 2, f"two worker processes expected, found {workers}"
    assert statuses.count(200) == 6 and statuses.count(429) == 14, statuses


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory) -> Iterator[LiveServer]:
    settings = small_settings(tmp_path_factory.mktemp("upload"), max_upload_bytes=50_000)
    with LiveServer(create_app(settings)) as server:
        yield server


def test_admin_uploads_get_their_own_larger_limit(upload_server: LiveServer) -> None:
    body = b"synthetic upload, not a PubMed export\n" * 500  # ~19 kB: over the 4 kB JSON limit
    with upload_server.client() as client:
        admin = client.post("/v1/ingest", files={"file": ("synthetic.txt", body)}, headers={"X-API-Key": ADMIN_KEY})
        anonymous = client.post("/v1/ingest", files={"file": ("synthetic.txt", body)})
        too_big = client.post("/v1/ingest", files={"file": ("synthetic.txt", body * 3)}, headers={"X-API-Key": ADMIN_KEY})
        json_body = client.post("/v1/ask", json={"question": "x" * 5_000})
    assert admin.status_code == 202, admin.text
    assert anonymous.status_code == 413 and "4000 bytes" in anonymous.json()["error"]["message"]
    assert too_big.status_code == 413 and "50000 bytes" in too_big.json()["error"]["message"]
    assert json_body.status_code == 413
