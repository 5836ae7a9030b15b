"""`secretome-qa serve` as a real process: it binds the given port, serves, and logs one JSON object a line
with the request id of every request."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ingest.store import DocumentStore
from tests.api.conftest import synthetic_records
from tests.chroma_server import free_port


def test_serve_answers_on_the_given_port_and_logs_json_with_request_ids(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with DocumentStore(data_dir / "store.sqlite") as store:
        store.upsert(synthetic_records())
    port = free_port()
    command = [str(Path(sys.executable).with_name("secretome-qa")), "--data-dir", str(data_dir),
               "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "serve-test-1"})
                break
            except (httpx.ConnectError, httpx.ReadTimeout):  # the port is bound before the app has started
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "serve did not come up within 60 s"
                time.sleep(0.2)
        record = httpx.get(f"http://127.0.0.1:{port}/v1/records/99000001", headers={"X-Request-ID": "serve-test-2"})
    finally:
        process.terminate()
        stdout, stderr = process.communicate(timeout=30)

    assert health.status_code == 200 and record.json()["pmid"] == "99000001"
    assert f"http://127.0.0.1:{port}/" in stdout
    logs = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert logs and len(logs) == len([line for line in stderr.splitlines() if line.strip()]), stderr
    access = {entry["request_id"]: entry for entry in logs if entry["message"] == "request"}
    assert access["serve-test-1"]["path"] == "/healthz" and access["serve-test-1"]["status"] == 200
    assert access["serve-test-2"]["route"] == "/v1/records/{pmid}"
    assert isinstance(access["serve-test-2"]["duration_ms"], float)
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in logs)
