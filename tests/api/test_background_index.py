"""Serving before the vectors exist: `secretome-qa run` serves after the lexical pass (BM25, seconds), the
service builds the vectors in the background, `/readyz` says how far it has got and answers carry a
warning until it is done."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from api.metrics import ServiceMetrics
from api.routes.health import readiness_checks
from api.services import Services
from core.settings import Settings
from ingest.records import PubMedRecord
from rag.index.background import IndexingStatus
from rag.index.manifest import read_manifest
from tests.chroma_server import free_port
from tests.rag.retrieve.retrieval_fixtures import run_indexer, synthetic_records, synthetic_settings

QUESTION = "Which tetraspanin identified the synthetic extracellular vesicles?"
WARNING = "the vector index is still being built"


@pytest.fixture
def lexical(tmp_path) -> Settings:
    settings = synthetic_settings(tmp_path / "data")
    run_indexer(settings, vectors=False)
    return settings


def test_service_answers_during_the_background_build_and_says_so(lexical):
    release, reached = threading.Event(), threading.Event()

    def hold_before_writing(stage: str) -> None:
        if stage == "after_embedding":
            reached.set()
            release.wait(120)

    services = Services(lexical, ServiceMetrics())
    services.indexing.checkpoint = hold_before_writing
    try:
        services.warm_up()
        assert reached.wait(60), "the background build did not start"
        n = len(synthetic_records())
        assert readiness_checks(services)["index"] == (
            f"ok (indexing 0 / {n} records; answers use BM25 and the vectors built so far)"
        )
        during = services.answerer().ask(QUESTION)
        assert any(WARNING in w for w in during.warnings)
        assert "92000005" in {c.pmid for c in during.citations}

        release.set()
        assert services.indexing.wait(120)
        assert readiness_checks(services)["index"].startswith(f"ok ({n} records, {n} chunks")
        after = services.answerer().ask(QUESTION)
        assert not any(WARNING in w for w in after.warnings)
        assert read_manifest(lexical.index_dir).pending_records == 0
    finally:
        release.set()
        services.close()


def write_corpus(path: Path, records: list[PubMedRecord]) -> Path:
    path.write_text("".join(json.dumps(r.model_dump(mode="json")) + "\n" for r in records))
    return path


def test_run_serves_after_the_lexical_pass_and_finishes_the_vectors(tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", synthetic_records())
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "SECRETOME_CORPUS_PATH": str(corpus)}
    command = [str(Path(sys.executable).with_name("secretome-qa")), "--data-dir", str(tmp_path / "data"),
               "run", "--offline", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    n = len(synthetic_records())
    try:
        deadline = time.monotonic() + 120
        index_check = ""
        while not index_check.startswith(f"ok ({n} records"):
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, f"the vectors were not built within 120 s: {index_check!r}"
            try:
                index_check = httpx.get(f"http://127.0.0.1:{port}/readyz").json()["checks"]["index"]
            except (httpx.ConnectError, httpx.ReadTimeout, KeyError):
                pass
            time.sleep(0.3)
        answer = httpx.post(f"http://127.0.0.1:{port}/v1/ask", json={"question": QUESTION}, timeout=60).json()
    finally:
        process.terminate()
        stdout, _ = process.communicate(timeout=30)
    assert f"the vectors of {n} records are built in the background" in " ".join(stdout.split())
    assert "92000005" in {c["pmid"] for c in answer["citations"]}
    assert not any(WARNING in w for w in answer["warnings"])


def test_service_adds_sentence_vectors_to_an_index_built_without_them(tmp_path):
    settings = synthetic_settings(tmp_path / "data")
    without = settings.model_copy(update={"index": settings.index.model_copy(update={"sentence_vectors": False})})
    run_indexer(without)
    unwanted = Services(without, ServiceMetrics())
    try:
        unwanted.warm_up()
        assert unwanted.unfinished_manifest() is None and unwanted.indexing.status() is None
    finally:
        unwanted.close()

    services = Services(settings, ServiceMetrics())
    try:
        assert services.unfinished_manifest() is not None
        services.warm_up()
        assert services.indexing.wait(120)
        n = len(synthetic_records())
        assert services.indexing.status() == IndexingStatus(n, n, running=False)
        assert read_manifest(settings.index_dir).sentence_vectors and services.unfinished_manifest() is None
        assert readiness_checks(services)["index"].startswith(f"ok ({n} records, {n} chunks")
    finally:
        services.close()


def test_service_stores_sentence_vectors_again_for_an_index_another_encoder_variant_built(tmp_path):
    settings = synthetic_settings(tmp_path / "data")
    batched = settings.model_copy(update={"embedding": settings.embedding.model_copy(update={"batch_size": 4})})
    run_indexer(batched)
    assert read_manifest(settings.index_dir).embedding_variant == "onnx-int8"

    services = Services(settings, ServiceMetrics())
    try:
        assert services.unfinished_manifest() is not None
        services.warm_up()
        assert services.indexing.wait(120)
        manifest = read_manifest(settings.index_dir)
        assert (manifest.embedding_variant, manifest.sentence_vectors) == ("onnx-int8-single", True)
        assert services.unfinished_manifest() is None
    finally:
        services.close()
