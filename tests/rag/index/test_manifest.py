"""What the manifest tells the service about work left for a background run."""

import pytest

from rag.index.manifest import IndexIdentity, IndexManifest

IDENTITY = IndexIdentity(
    embedding_model="synthetic-model",
    embedding_fingerprint="0" * 12,
    embedding_dimension=384,
    chunker="sentences",
    chunk_max_words=180,
    chunk_overlap_sentences=1,
    tokenizer="synthetic",
    bm25="k1=1.5,b=0.75",
)


def manifest(pending_records: int, sentence_vectors: bool, variant: str = "onnx-int8-single") -> IndexManifest:
    return IndexManifest(
        identity=IDENTITY,
        collection="c",
        chroma_mode="embedded",
        embedding_variant=variant,
        records=10,
        pending_records=pending_records,
        sentence_vectors=sentence_vectors,
    )


@pytest.mark.parametrize(
    ("pending", "has_sentence_vectors", "wanted", "unfinished"),
    [
        (0, True, True, False),
        (3, True, True, True),
        (0, False, True, True),
        (0, False, False, False),
        (3, False, False, True),
    ],
)
def test_a_run_is_unfinished_while_records_or_wanted_sentence_vectors_are_missing(
    pending, has_sentence_vectors, wanted, unfinished
):
    assert manifest(pending, has_sentence_vectors).unfinished(wanted, "onnx-int8-single") is unfinished


def test_sentence_vectors_of_another_encoder_variant_count_as_missing():
    batched = manifest(0, True, variant="onnx-int8")
    assert not batched.has_sentence_vectors("onnx-int8-single")
    assert batched.unfinished(True, "onnx-int8-single")
    assert not batched.unfinished(False, "onnx-int8-single")
    assert not batched.unfinished(True, "onnx-int8")
