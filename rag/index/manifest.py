"""Index identity: what built an index, recorded beside it, so it is never searched with another vector space.

The identity (embedding model and weights, chunking, tokenizer, BM25 parameters) names the Chroma collection
and is stored in `manifest.json`; opening the index with settings that imply another identity raises
`IndexMismatchError` naming each difference.
"""

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from core.errors import IndexMismatchError, IndexMissingError

MANIFEST_NAME = "manifest.json"


class IndexIdentity(BaseModel):
    """Everything that changes vectors or terms; two indexes with equal identities are interchangeable."""

    embedding_model: str
    embedding_fingerprint: str
    embedding_dimension: int
    chunker: str
    chunk_max_words: int
    chunk_overlap_sentences: int
    tokenizer: str
    bm25: str

    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]

    def collection_name(self, prefix: str) -> str:
        return f"{prefix}-{self.digest()}"


class IndexManifest(BaseModel):
    """The identity plus what is informative only (runtime variant, sizes, times)."""

    identity: IndexIdentity
    collection: str
    chroma_mode: str
    embedding_variant: str = Field(
        description="Encoder variant of the latest run, which stored the sentence vectors; variants of one model agree."
    )
    records: int = 0
    chunks: int = 0
    hnsw: dict = Field(default_factory=dict, description="The HNSW configuration the collection was built with.")
    pending_records: int = Field(
        0,
        description="Records whose vectors were not in Chroma yet when this was written: BM25 covers every record,"
        " dense search only those embedded so far, until a full index run (the service starts one) completes.",
    )
    sentence_vectors: bool = Field(
        False,
        description="Whether every record with vectors also has its sentences' vectors in the embedding cache "
        "(settings.index.sentence_vectors); a full run over an index without them adds them.",
    )
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    updated_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def has_sentence_vectors(self, variant: str) -> bool:
        """Stored sentence vectors serve only the encoder variant that stored them (the cache is keyed by it)."""
        return self.sentence_vectors and self.embedding_variant == variant

    def unfinished(self, sentence_vectors_wanted: bool, variant: str) -> bool:
        """Whether a background run has work left: records without vectors, or sentence vectors the settings
        ask for and the index lacks for this variant (answers without them are the same, but slower)."""
        return bool(self.pending_records) or (sentence_vectors_wanted and not self.has_sentence_vectors(variant))


def differences(built: IndexIdentity, wanted: IndexIdentity) -> list[str]:
    """Human-readable `field: index has X, settings give Y` lines, empty when the identities agree."""
    have, want = built.model_dump(), wanted.model_dump()
    return [f"{key}: index has {have[key]!r}, settings give {want[key]!r}" for key in have if have[key] != want[key]]


def check(built: IndexIdentity, wanted: IndexIdentity, where: Path) -> None:
    diffs = differences(built, wanted)
    if diffs:
        raise IndexMismatchError(f"the index at {where} was built with other settings: " + "; ".join(diffs))


def read_manifest(index_dir: Path) -> IndexManifest:
    path = index_dir / MANIFEST_NAME
    if not path.is_file():
        raise IndexMissingError(f"no index at {index_dir}")
    return IndexManifest.model_validate_json(path.read_text())


def write_manifest(index_dir: Path, manifest: IndexManifest) -> None:
    """Write atomically: a crash leaves the old manifest or the new one, never half of one."""
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = index_dir / f".{MANIFEST_NAME}.tmp"
    tmp.write_text(json.dumps(manifest.model_dump(mode="json"), indent=2))
    os.replace(tmp, index_dir / MANIFEST_NAME)
