"""`POST /v1/ingest` and `GET /v1/jobs/{id}` against a real server over an empty data dir: an uploaded
real PubMed XML file is stored and indexed in the background, then served and found by search."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from core.settings import Settings
from tests.api.conftest import ADMIN_KEY
from tests.api.live_server import LiveServer
from tests.conftest import CORPUS, FIXTURES

ADMIN = {"X-API-Key": ADMIN_KEY}


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("ingest") / "data",
        corpus_path=CORPUS,
        api={"admin_key": ADMIN_KEY},
        entrez={"max_retries": 0},
    )
    with LiveServer(create_app(settings)) as server:
        yield server


def wait_for_job(client: httpx.Client, job_id: str, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}", headers=ADMIN).json()
        if job["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.3)


def upload(client: httpx.Client, path: Path, name: str | None = None) -> httpx.Response:
    with path.open("rb") as handle:
        return client.post("/v1/ingest", headers=ADMIN, files={"file": (name or path.name, handle, "application/xml")})


def test_an_uploaded_pubmed_file_is_stored_indexed_and_searchable(empty_server: LiveServer) -> None:
    with empty_server.client() as client:
        assert client.get("/v1/records/11748933").status_code == 404
        accepted = upload(client, FIXTURES / "entrez" / "pubmed2.xml")
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["job_id"]
        assert accepted.headers["location"] == f"/v1/jobs/{job_id}" == accepted.json()["status_url"]
        job = wait_for_job(client, job_id)
        record = client.get("/v1/records/11748933")
        found = client.get("/v1/search", params={"q": "cryopreservation ultrastructure", "k": 2})
        ready = client.get("/readyz")

    assert job["status"] == "succeeded", job
    assert job["kind"] == "file" and job["source"] == "pubmed2.xml"
    assert job["stage"] == "done" and job["indexed"] is True
    assert job["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "skipped": 0}
    assert job["run_id"] is not None and job["finished_at"]
    assert record.status_code == 200
    assert record.json()["title"].startswith("Is cryopreservation a homogeneous process?")
    assert found.status_code == 200, found.text
    assert found.json()["results"][0]["pmid"] == "11748933"
    assert ready.status_code == 200, "the index the job built is the one the service now serves"


def test_a_second_upload_of_the_same_file_changes_nothing(empty_server: LiveServer) -> None:
    with empty_server.client() as client:
        job = wait_for_job(client, upload(client, FIXTURES / "entrez" / "pubmed2.xml").json()["job_id"])
    assert job["status"] == "succeeded", job
    assert job["counts"] == {"new": 0, "updated": 0, "unchanged": 2, "skipped": 0}


def test_a_broken_file_fails_the_job_with_a_message_naming_it(empty_server: LiveServer, tmp_path: Path) -> None:
    truncated = tmp_path / "cut.xml"
    truncated.write_bytes((FIXTURES / "entrez" / "pubmed1.xml").read_bytes()[:1500])
    with empty_server.client() as client:
        job = wait_for_job(client, upload(client, truncated, "cut.xml").json()["job_id"])
        still_missing = client.get("/v1/records/12091962")
    assert job["status"] == "failed", job
    assert "cut.xml" in job["message"]
    assert still_missing.status_code == 404, "a truncated file stores nothing"


def test_an_unknown_preset_fails_the_job_listing_the_known_ones(empty_server: LiveServer) -> None:
    with empty_server.client() as client:
        accepted = client.post("/v1/ingest", headers=ADMIN, data={"preset": "no-such-preset"})
        job = wait_for_job(client, accepted.json()["job_id"])
    assert job["status"] == "failed", job
    assert job["kind"] == "preset"
    assert "no-such-preset" in job["message"] and "seed-review" in job["message"]


def test_an_unknown_job_is_404(empty_server: LiveServer) -> None:
    with empty_server.client() as client:
        response = client.get("/v1/jobs/0123456789abcdef", headers=ADMIN)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
