"""The local encoder: both runtimes agree with fp32, the cache skips known text, nothing is downloaded."""

import numpy as np
import pytest

from core.errors import ModelUnavailableError
from core.settings import EmbeddingSettings
from rag.index.embeddings import LocalEmbeddings, encoder_variant, model_fingerprint, resolve_model_path
from rag.index.encoders import length_batches, pad_batch
from rag.index.torch_encoder import TorchEncoder, cpu_supports_bf16, resolve_precision

TEXTS = [
    "Synthetic exosomes from mesenchymal stem cells carried miR-21.",
    "A made-up cohort had high serum IL-6.",
    "Invented conditioned medium raised VEGF in imaginary mice.",
]


@pytest.fixture(scope="module")
def fp32() -> np.ndarray:
    return TorchEncoder(resolve_model_path(EmbeddingSettings()), "fp32", 8, None).encode(TEXTS)


@pytest.fixture(scope="module")
def int8(tmp_path_factory) -> LocalEmbeddings:
    return LocalEmbeddings(EmbeddingSettings(backend="onnx-int8"), tmp_path_factory.mktemp("int8"))


def test_vectors_are_unit_length_and_384_wide(fp32):
    assert fp32.shape == (3, 384)
    assert np.allclose(np.linalg.norm(fp32, axis=1), 1.0, atol=1e-5)


def test_int8_export_agrees_with_fp32(int8, fp32):
    vectors = int8.embed_array(TEXTS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (vectors * fp32).sum(axis=1).min() > 0.98
    assert [p.name for p in int8.encoder.model_file.parent.iterdir()] == ["model-int8.onnx"]


def test_bulk_int8_encoding_keeps_input_order_across_workers(int8, fp32):
    texts = [f"{text} Synthetic variant {i}{' with extra padding words' * (i % 5)}." for i in range(40) for text in TEXTS]
    bulk = int8.encoder.encode(texts)
    assert len(int8.encoder.sessions) == int8.encoder.workers
    one_by_one = np.stack([int8.encoder.encode([text])[0] for text in texts[:12]])
    assert np.array_equal(bulk[:12], one_by_one)
    assert int8.encoder.encode([]).shape == (0, 384)


def test_an_int8_vector_does_not_depend_on_the_texts_encoded_with_it(int8):
    long_neighbour = "Synthetic neighbour text about invented vesicles and imaginary cytokines. " * 6
    alone = int8.encoder.encode([TEXTS[0]])[0]
    among_others = int8.encoder.encode([long_neighbour, TEXTS[0], TEXTS[1]])[1]
    assert np.array_equal(alone, among_others)
    assert int8.info.variant == encoder_variant(EmbeddingSettings()) == "onnx-int8-single"


def test_batched_int8_vectors_are_a_variant_of_their_own(tmp_path):
    batched = LocalEmbeddings(EmbeddingSettings(batch_size=4), tmp_path)
    try:
        assert batched.info.variant == encoder_variant(EmbeddingSettings(batch_size=4)) == "onnx-int8"
        long_neighbour = "Synthetic neighbour text about invented vesicles and imaginary cytokines. " * 6
        vectors = batched.encoder.encode([long_neighbour, TEXTS[0], TEXTS[1], TEXTS[2]])
        assert not np.array_equal(vectors[1], batched.encoder.encode([TEXTS[0]])[0])
    finally:
        batched.close()


def test_length_batches_group_similar_lengths_and_cover_every_row():
    batches = length_batches([5, 1, 9, 2, 7], 2)
    assert [b.tolist() for b in batches] == [[1, 3], [0, 4], [2]]


def test_pad_batch_right_pads_ids_with_the_pad_id_and_masks_with_zero():
    features = {"input_ids": [[101, 7, 102], [101, 102]], "attention_mask": [[1, 1, 1], [1, 1]]}
    batch = pad_batch(features, np.array([1, 0]), pad_id=3)
    assert batch["input_ids"].tolist() == [[101, 102, 3], [101, 7, 102]]
    assert batch["attention_mask"].tolist() == [[1, 1, 0], [1, 1, 1]]


def test_int8_export_is_made_once_and_shared(int8, tmp_path):
    made = int8.encoder.model_file.stat().st_mtime_ns
    again = LocalEmbeddings(EmbeddingSettings(backend="onnx-int8"), tmp_path, use_cache=False)
    assert again.encoder.model_file == int8.encoder.model_file
    assert again.encoder.model_file.stat().st_mtime_ns == made


def test_bf16_agrees_with_fp32(fp32):
    bf16 = TorchEncoder(resolve_model_path(EmbeddingSettings()), "bf16", 8, None).encode(TEXTS)
    assert (bf16 * fp32).sum(axis=1).min() > 0.995


def test_cache_serves_known_text_and_encodes_only_new_text(int8):
    int8.embed_array(TEXTS)
    before = (int8.stats.cached, int8.stats.encoded)
    again = int8.embed_array([*TEXTS, "Synthetic new sentence about platelet lysate."])
    assert int8.stats.cached - before[0] == 3
    assert int8.stats.encoded - before[1] == 1
    assert np.allclose(again[:3], int8.embed_array(TEXTS))


def test_duplicate_texts_are_encoded_once(tmp_path):
    embeddings = LocalEmbeddings(EmbeddingSettings(backend="torch", precision="fp32"), tmp_path)
    vectors = embeddings.embed_array([TEXTS[0], TEXTS[0], TEXTS[1]])
    assert embeddings.stats.encoded == 2
    assert np.allclose(vectors[0], vectors[1])


def test_langchain_interface_returns_float_lists(int8):
    query = int8.embed_query("stem cell vesicles")
    docs = int8.embed_documents(TEXTS[:2])
    assert len(query) == 384 and isinstance(query[0], float)
    assert len(docs) == 2 and len(docs[0]) == 384


def test_fingerprint_depends_on_weights_not_location(tmp_path):
    bundled = resolve_model_path(EmbeddingSettings())
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("modules.json", "config.json"):
        (copy / name).write_bytes((bundled / name).read_bytes())
    (copy / "model.safetensors").write_bytes(b"synthetic weights")
    assert model_fingerprint(bundled) == model_fingerprint(bundled)
    assert model_fingerprint(copy) != model_fingerprint(bundled)


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        LocalEmbeddings(EmbeddingSettings(model_path=tmp_path / "no-model"))


def test_directory_that_is_not_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelUnavailableError, match="not a sentence-transformers model"):
        LocalEmbeddings(EmbeddingSettings(backend="torch", model_path=tmp_path))


def test_precision_auto_follows_the_cpu_flags(tmp_path):
    with_bf16 = tmp_path / "cpuinfo-bf16"
    with_bf16.write_text("flags\t: fpu sse avx512f avx512_bf16\n")
    without = tmp_path / "cpuinfo-plain"
    without.write_text("flags\t: fpu sse avx2\n")
    assert cpu_supports_bf16(with_bf16) and not cpu_supports_bf16(without)
    assert not cpu_supports_bf16(tmp_path / "missing")
    assert resolve_precision("fp32") == "fp32" and resolve_precision("bf16") == "bf16"
    assert resolve_precision("auto") == ("bf16" if cpu_supports_bf16() else "fp32")


def reader(cache_dir) -> LocalEmbeddings:
    """What a serving process opens: the data dir's cache, read-only."""
    return LocalEmbeddings(EmbeddingSettings(backend="onnx-int8"), cache_dir, cache_writes=False)


def test_a_reader_uses_what_the_indexer_stored_and_never_writes(tmp_path):
    writer = LocalEmbeddings(EmbeddingSettings(backend="onnx-int8"), tmp_path)
    stored = writer.embed_array(TEXTS)
    serving = reader(tmp_path)
    new = "Synthetic sentence no index has seen."
    vectors = serving.embed_array([*TEXTS, new])
    assert (serving.stats.cached, serving.stats.encoded) == (3, 1)
    assert np.array_equal(vectors[:3], stored)
    serving.embed_array([new])
    assert serving.stats.encoded == 2
    assert writer.cache.get_many([writer._key(new)]) == {}


def test_a_reader_creates_no_cache_where_there_is_none(tmp_path):
    serving = reader(tmp_path)
    assert serving.cache is None and serving.embed_array(TEXTS).shape == (3, 384)
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_cache_file_costs_a_reader_speed_not_answers(tmp_path, caplog):
    (tmp_path / "embeddings.sqlite").write_bytes(b"not a database " * 100)
    serving = reader(tmp_path)
    with caplog.at_level("WARNING"):
        vectors = serving.embed_array(TEXTS)
        serving.embed_array(TEXTS)
    plain = LocalEmbeddings(EmbeddingSettings(backend="onnx-int8"), tmp_path, use_cache=False).embed_array(TEXTS)
    assert np.allclose(vectors, plain, atol=1e-6) and serving.stats.encoded == 6
    assert sum("cannot be read" in r.getMessage() for r in caplog.records) == 1
