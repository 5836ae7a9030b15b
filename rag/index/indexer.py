"""The write path: document store -> chunks -> vectors in Chroma and terms in BM25.

Incremental by default: the content hashes the store keeps say which records are new or changed since
the index last saw them; only their chunks are embedded (and of those, only text the embedding cache has
not seen). Records gone from the store leave the index. `rebuild=True` drops the collection first.
"""

import fcntl
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass

import chromadb
from tqdm import tqdm

from core.errors import IndexMissingError, InputError
from core.settings import Settings
from ingest.store import DocumentStore
from rag.index.bm25_index import BM25Index
from rag.index.chroma_store import ChromaIndex, make_client, server_address
from rag.index.chunking import Chunk, ChunkingParams, chunk_record
from rag.index.embeddings import LocalEmbeddings
from rag.index.layout import bm25_dir, bm25_params, chunking_params, hnsw_config, identity_for
from rag.index.manifest import IndexManifest, check, read_manifest, write_manifest
from rag.index.state import IndexedRecords

BATCH_RECORDS = 2048


@dataclass
class IndexSummary:
    """What one `index` run did."""

    collection: str
    chroma_mode: str
    records: int
    new: int
    changed: int
    removed: int
    unchanged: int
    chunks: int
    chunks_encoded: int
    chunks_cached: int
    bm25_rebuilt: bool
    rebuilt: bool
    seconds: float

    @property
    def records_per_second(self) -> float:
        done = self.new + self.changed
        return done / self.seconds if self.seconds > 0 else 0.0


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Indexer:
    """Brings the index in `settings.index_dir` (and the Chroma collection) up to date with the store."""

    def __init__(
        self,
        settings: Settings,
        embeddings: LocalEmbeddings | None = None,
        chroma_client: chromadb.ClientAPI | None = None,
    ):
        self.settings = settings
        self.embeddings = embeddings or LocalEmbeddings(settings.embedding, settings.data_dir)
        self.params: ChunkingParams = chunking_params(settings)
        self._client = chroma_client

    def _previous(self) -> IndexManifest | None:
        try:
            return read_manifest(self.settings.index_dir)
        except IndexMissingError:
            return None

    def run(self, rebuild: bool = False, show_progress: bool = True) -> IndexSummary:
        """Bring the index up to date; a second indexer on the same data dir waits for this one to finish
        (embedded Chroma is not safe for two writing processes)."""
        self.settings.index_dir.mkdir(parents=True, exist_ok=True)
        with (self.settings.index_dir / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                return self._run(rebuild, show_progress)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _run(self, rebuild: bool, show_progress: bool) -> IndexSummary:
        started = time.perf_counter()
        settings = self.settings
        identity = identity_for(settings, self.embeddings.info)
        name = identity.collection_name(settings.chroma.collection_prefix)
        previous = self._previous()
        if previous and not rebuild:
            check(previous.identity, identity, settings.index_dir)
        with DocumentStore(settings.store_path) as store:
            hashes = store.content_hashes()
            if not hashes:
                raise InputError(f"the document store {settings.store_path} has no records; run `secretome-qa ingest` first")
            client = self._client or make_client(settings)
            address = server_address(settings) if settings.chroma.mode == "http" else str(settings.index_dir)
            state = IndexedRecords.for_settings(settings)
            try:
                if rebuild:
                    self._drop(client, address, {name, previous.collection if previous else name})
                    state.clear()
                chroma = ChromaIndex(client, name, self.embeddings, address, create=True, configuration=hnsw_config(settings))
                indexed = state.hashes()
                if indexed and chroma.count() == 0:
                    indexed = {}
                    state.clear()
                todo = sorted(p for p, h in hashes.items() if indexed.get(p) != h)
                removed = sorted(set(indexed) - set(hashes))
                chroma.delete_records([p for p in todo if p in indexed] + removed)
                state.forget(removed)
                before = (self.embeddings.stats.encoded, self.embeddings.stats.cached)
                self._embed(store, chroma, state, todo, hashes, show_progress)
                encoded = self.embeddings.stats.encoded - before[0]
                cached = self.embeddings.stats.cached - before[1]
            finally:
                state.close()
            directory = bm25_dir(settings)
            bm25_rebuilt = bool(todo or removed or rebuild or not directory.is_dir())
            chunks = self._rebuild_bm25(store, show_progress) if bm25_rebuilt else previous.chunks if previous else 0
        manifest = IndexManifest(
            identity=identity,
            collection=name,
            chroma_mode=settings.chroma.mode,
            embedding_variant=self.embeddings.info.variant,
            records=len(hashes),
            chunks=chunks,
            hnsw=hnsw_config(settings)["hnsw"],
        )
        if previous and not rebuild and previous.collection == name:
            manifest.created_at = previous.created_at
        write_manifest(settings.index_dir, manifest)
        new = sum(1 for p in todo if p not in indexed)
        return IndexSummary(
            collection=name,
            chroma_mode=settings.chroma.mode,
            records=len(hashes),
            new=new,
            changed=len(todo) - new,
            removed=len(removed),
            unchanged=len(hashes) - len(todo),
            chunks=chunks,
            chunks_encoded=encoded,
            chunks_cached=cached,
            bm25_rebuilt=bm25_rebuilt,
            rebuilt=rebuild,
            seconds=time.perf_counter() - started,
        )

    def _drop(self, client, address: str, names: set[str]) -> None:
        existing = {c.name for c in client.list_collections()}
        for name in names & existing:
            client.delete_collection(name)
        shutil.rmtree(bm25_dir(self.settings), ignore_errors=True)

    def _embed(
        self,
        store: DocumentStore,
        chroma: ChromaIndex,
        state: IndexedRecords,
        todo: list[str],
        hashes: dict[str, str],
        show_progress: bool,
    ) -> None:
        with tqdm(total=len(todo), desc="embedding", unit="rec", disable=not show_progress or not todo) as bar:
            for batch in _batches(todo, BATCH_RECORDS):
                records = store.get_many(batch)
                chunks: list[Chunk] = [c for pmid in batch for c in chunk_record(records[pmid], self.params)]
                vectors = self.embeddings.embed_array([c.embed_text for c in chunks])
                if chunks:
                    chroma.upsert(chunks, vectors)
                state.mark({pmid: hashes[pmid] for pmid in batch})
                bar.update(len(batch))

    def _rebuild_bm25(self, store: DocumentStore, show_progress: bool) -> int:
        records = tqdm(store.iter_records(), total=store.count(), desc="bm25", unit="rec", disable=not show_progress)
        chunks = [c for record in records for c in chunk_record(record, self.params)]
        BM25Index.build(chunks, bm25_params(self.settings)).save(bm25_dir(self.settings))
        return len(chunks)
