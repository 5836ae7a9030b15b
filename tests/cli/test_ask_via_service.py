"""`ask` uses a running `secretome-qa serve` on the same index build, and only that one; it answers in process
when there is none, when the service serves another build, and when the service refuses the question."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import create_app
from cli.service_client import same_build, service_url
from core.settings import Settings
from rag.index.manifest import read_manifest, write_manifest
from tests.api.live_server import LiveServer
from tests.cli.conftest import run_cli

QUESTION = "Which microRNA do mesenchymal stem cell exosomes carry?"
VIA_SERVICE = "answered by the service at"


@pytest.fixture(scope="module")
def service(cli_data_dir: Path) -> Iterator[LiveServer]:
    """The real app under uvicorn over the CLI tests' index; it refuses questions over 80 characters."""
    settings = Settings(_env_file=None, data_dir=cli_data_dir, api={"max_question_chars": 80})
    with LiveServer(create_app(settings)) as server:
        yield server


def at_port(server: LiveServer) -> dict[str, str]:
    return {"SECRETOME_API__PORT": str(server.port)}


def test_the_address_a_client_reaches_for_the_interface_serve_binds() -> None:
    def url(host: str) -> str:
        return service_url(Settings(_env_file=None, api={"host": host, "port": 8123}))

    assert url("0.0.0.0") == "http://127.0.0.1:8123"
    assert url("::") == "http://127.0.0.1:8123"
    assert url("::1") == "http://[::1]:8123"
    assert url("10.1.2.3") == "http://10.1.2.3:8123"


def test_only_the_same_index_build_counts_as_the_same_index(cli_data_dir: Path) -> None:
    built = read_manifest(Settings(_env_file=None, data_dir=cli_data_dir).index_dir)
    assert same_build(built, built.model_copy())
    assert not same_build(built, built.model_copy(update={"updated_at": "2000-01-01T00:00:00+00:00"}))
    assert not same_build(built, built.model_copy(update={"pending_records": 1}))


def test_ask_goes_to_the_service_on_its_index_and_answers_exactly_as_in_process(
    service: LiveServer, cli_data_dir: Path
) -> None:
    via_service = run_cli("ask", "--json", QUESTION, data_dir=cli_data_dir, env=at_port(service))
    assert via_service.returncode == 0, via_service.stderr
    assert f"{VIA_SERVICE} {service.url}" in via_service.stderr
    in_process = run_cli("ask", "--json", "--local", QUESTION, data_dir=cli_data_dir, env=at_port(service))
    assert in_process.returncode == 0, in_process.stderr
    assert VIA_SERVICE not in in_process.stderr
    answer = json.loads(via_service.stdout)
    assert answer["citations"], answer
    assert answer == json.loads(in_process.stdout)


def test_a_service_on_another_index_build_is_not_used(service: LiveServer, cli_data_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "data"
    shutil.copytree(cli_data_dir, other)
    index_dir = Settings(_env_file=None, data_dir=other).index_dir
    manifest = read_manifest(index_dir)
    write_manifest(index_dir, manifest.model_copy(update={"updated_at": "2000-01-01T00:00:00+00:00"}))
    result = run_cli("ask", QUESTION, data_dir=other, env=at_port(service))
    assert result.returncode == 0, result.stderr
    assert VIA_SERVICE not in result.stderr
    assert "91000000" in result.stdout or "91000001" in result.stdout


def test_a_question_the_service_refuses_is_answered_in_process(service: LiveServer, cli_data_dir: Path) -> None:
    long_question = QUESTION + " Answer for the synthetic records of this test corpus, please, with citations."
    result = run_cli("ask", "--json", long_question, data_dir=cli_data_dir, env=at_port(service))
    assert result.returncode == 0, result.stderr
    assert "answered HTTP 422" in result.stderr and "answering here" in result.stderr
    assert json.loads(result.stdout)["question"] == long_question
