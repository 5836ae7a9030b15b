"""The router's prototype vectors: embedded once per model and prototype list, then read from disk."""

import numpy as np

from rag.answer.prototype_cache import cache_file, prototype_vectors
from rag.answer.routing import Router
from tests.rag.answer.answer_fixtures import embedder  # noqa: F401 (fixture)

PROTOTYPES = ["Which synthetic factors does the test secretome contain?", "Is the test vesicle safe?"]


class CountingEmbedder:
    """The real model, counting how many texts it was asked to embed."""

    def __init__(self, model):
        self.model, self.info, self.embedded = model, model.info, 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return self.model.embed_documents(texts)

    def embed_query(self, text):
        return self.model.embed_query(text)


def test_a_second_router_reads_the_vectors_the_first_one_embedded(embedder, tmp_path) -> None:  # noqa: F811
    first, second = CountingEmbedder(embedder), CountingEmbedder(embedder)
    stored = prototype_vectors(first, PROTOTYPES, tmp_path)
    read = prototype_vectors(second, PROTOTYPES, tmp_path)
    assert (first.embedded, second.embedded) == (2, 0)
    assert np.allclose(read, np.asarray(embedder.embed_documents(PROTOTYPES)), atol=1e-6)
    assert np.array_equal(stored, read)


def test_other_prototypes_or_another_model_never_read_a_stale_file(embedder, tmp_path) -> None:  # noqa: F811
    model_id = f"{embedder.info.fingerprint}/{embedder.info.variant}"
    assert cache_file(tmp_path, model_id, PROTOTYPES) != cache_file(tmp_path, model_id, PROTOTYPES[:1])
    assert cache_file(tmp_path, model_id, PROTOTYPES) != cache_file(tmp_path, "other-weights/onnx-int8", PROTOTYPES)


def test_a_damaged_cache_file_is_embedded_again_and_replaced(embedder, tmp_path) -> None:  # noqa: F811
    path = cache_file(tmp_path, f"{embedder.info.fingerprint}/{embedder.info.variant}", PROTOTYPES)
    path.write_bytes(b"half a file")
    counting = CountingEmbedder(embedder)
    vectors = prototype_vectors(counting, PROTOTYPES, tmp_path)
    assert counting.embedded == 2
    assert np.array_equal(np.load(path), vectors)


def test_an_unwritable_cache_still_routes(embedder, tmp_path) -> None:  # noqa: F811
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache dir should be")
    router = Router(embedder, cache_dir=blocked)
    assert router.route("Which phase II clinical trials gave synthetic vesicles to patients?").category == "trials"


def test_a_write_that_fails_leaves_no_partial_file_behind(embedder, tmp_path) -> None:  # noqa: F811
    target = cache_file(tmp_path, f"{embedder.info.fingerprint}/{embedder.info.variant}", PROTOTYPES)
    target.mkdir()  # a directory where the file should go: the final rename fails
    vectors = prototype_vectors(embedder, PROTOTYPES, tmp_path)
    assert vectors.shape == (2, embedder.info.dimension)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
