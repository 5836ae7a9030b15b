"""The write path: document store -> chunks -> vectors in Chroma and terms in BM25.

Incremental by default: the content hashes the store keeps say which records are new or changed since
the index last saw them; only their chunks are embedded (and of those, only text the embedding cache has
not seen). Records gone from the store leave the index. `rebuild=True` drops the collection first.

Lexical first (`run(vectors=False)`): BM25 and the manifest cover every record at once (seconds), the
manifest counts the records still without vectors (`pending_records`), and the dirty mark says vectors
are pending; the next full run embeds just those (the service runs it in the background while it already
answers with BM25 and the vectors built so far).

Crash safety: a run marks the index dirty before its first write and clean only after BM25 and the
manifest are written. A run that finds the mark (its predecessor was killed), or whose counts of store,
record table, manifest, BM25 and Chroma disagree, reconciles Chroma chunk by chunk with what the store
says it should hold, rebuilds BM25 and rewrites the manifest (`IndexSummary.repaired` says why).
"""

import fcntl
import logging
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import chromadb
from tqdm import tqdm

from core.errors import IndexMissingError, InputError
from core.settings import Settings
from ingest.store import DocumentStore
from rag.index.bm25_index import CHUNKS_FILE, BM25Index
from rag.index.chroma_store import ChromaIndex, index_address, make_client
from rag.index.chunking import Chunk, ChunkingParams, chunk_record
from rag.index.embeddings import EmbedStats, LocalEmbeddings
from rag.index.layout import bm25_dir, bm25_params, chunking_params, hnsw_config, identity_for
from rag.index.manifest import IndexManifest, check, read_manifest, write_manifest
from rag.index.sentence_vectors import answer_sentences
from rag.index.state import STATE_FILE, IndexedRecords

log = logging.getLogger(__name__)

BATCH_RECORDS = 2048
ID_PAGE = 5000
# Test-only: `SECRETOME_TEST_INDEX_CRASH_AT=<stage>` makes a real `index` process SIGKILL itself there;
# `SECRETOME_TEST_INDEX_PAUSE_AT=<stage>:<seconds>` makes it wait there (a page test watches a build).
CRASH_ENV = "SECRETOME_TEST_INDEX_CRASH_AT"
PAUSE_ENV = "SECRETOME_TEST_INDEX_PAUSE_AT"
STAGES = ("after_embedding", "after_chroma_write", "after_mark", "before_bm25_save", "before_manifest")
Checkpoint = Callable[[str], None]
Progress = Callable[[int, int], None]
PENDING = "vectors pending"


def crash_at_env_stage(stage: str) -> None:
    """The default checkpoint: kill -9 this process (or pause) at the stage the test environment names."""
    if os.environ.get(CRASH_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)
    pause_stage, _, seconds = os.environ.get(PAUSE_ENV, "").partition(":")
    if pause_stage == stage:
        time.sleep(float(seconds or 0))


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
    sentences_encoded: int = 0
    sentences_cached: int = 0
    repaired: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    pending: int = 0

    @property
    def records_per_second(self) -> float:
        done = self.new + self.changed
        return done / self.seconds if self.seconds > 0 else 0.0


@dataclass
class IndexCounts:
    """The five numbers that must agree for an index to be whole."""

    store_records: int
    indexed_records: int
    manifest_records: int | None
    manifest_chunks: int | None
    bm25_chunks: int | None
    chroma_chunks: int | None
    dirty: str | None = None

    def disagreements(self, *, include_store: bool = True) -> list[str]:
        """Readable lines, empty when store, record table, manifest, BM25 and Chroma agree."""
        problems: list[str] = []
        if self.dirty:
            problems.append(f"an earlier run was interrupted ({self.dirty})")
        if self.manifest_records is None:
            return problems
        if include_store and self.store_records != self.manifest_records:
            problems.append(f"store has {self.store_records} records, manifest {self.manifest_records}")
        if self.indexed_records != self.manifest_records:
            problems.append(f"record table has {self.indexed_records} records, manifest {self.manifest_records}")
        for name, value in (("BM25", self.bm25_chunks), ("Chroma", self.chroma_chunks)):
            if value != self.manifest_chunks:
                problems.append(f"{name} has {value} chunks, manifest {self.manifest_chunks}")
        return problems


def bm25_chunk_count(settings: Settings) -> int | None:
    """Rows of the saved BM25 chunk table (one line each), None when there is none."""
    path = bm25_dir(settings) / CHUNKS_FILE
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def index_counts(settings: Settings, chroma_client: chromadb.ClientAPI | None = None) -> IndexCounts:
    """Count what every part of the index holds, writing nothing (IndexMissingError when nothing is built)."""
    manifest = read_manifest(settings.index_dir)
    with DocumentStore(settings.store_path) as store:
        store_records = store.count()
    state = IndexedRecords(settings.index_dir / STATE_FILE)
    try:
        indexed, dirty = state.count(), state.dirty()
    finally:
        state.close()
    client = chroma_client or make_client(settings)
    existing = {c.name for c in client.list_collections()}
    chroma = client.get_collection(manifest.collection).count() if manifest.collection in existing else None
    return IndexCounts(
        store_records, indexed, manifest.records, manifest.chunks, bm25_chunk_count(settings), chroma, dirty
    )


class ProgressCounter:
    """Turns "this batch embedded n records" into the (done, total) a `Progress` callback takes."""

    def __init__(self, progress: Progress, done: int, total: int):
        self.progress, self.done, self.total = progress, done, total
        progress(done, total)

    def __call__(self, batch: int) -> None:
        self.done += batch
        self.progress(self.done, self.total)


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Indexer:
    """Brings the index in `settings.index_dir` (and the Chroma collection) up to date with the store.

    `checkpoint` is called with each stage name in `STAGES` as the run passes it (tests kill the
    process there); by default it reads `SECRETOME_TEST_INDEX_CRASH_AT`.
    """

    def __init__(
        self,
        settings: Settings,
        embeddings: LocalEmbeddings | None = None,
        chroma_client: chromadb.ClientAPI | None = None,
        checkpoint: Checkpoint = crash_at_env_stage,
    ):
        self.settings = settings
        self.embeddings = embeddings or LocalEmbeddings(settings.embedding, settings.cache_dir)
        self.params: ChunkingParams = chunking_params(settings)
        self._client = chroma_client
        self.checkpoint = checkpoint
        self.sentences = EmbedStats()

    def _previous(self) -> IndexManifest | None:
        try:
            return read_manifest(self.settings.index_dir)
        except IndexMissingError:
            return None

    def run(
        self,
        rebuild: bool = False,
        show_progress: bool = True,
        *,
        vectors: bool = True,
        progress: Progress | None = None,
    ) -> IndexSummary:
        """Bring the index up to date; a second indexer on the same data dir waits for this one to finish
        (embedded Chroma is not safe for two writing processes).

        Args:
            vectors: False writes BM25 and the manifest for every record but embeds nothing (the lexical
                pass); the records left without vectors are counted in the manifest's `pending_records`.
            progress: called with (records with vectors, records in the store) after every embedded batch.
        """
        self.settings.index_dir.mkdir(parents=True, exist_ok=True)
        with (self.settings.index_dir / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                return self._run(rebuild, show_progress, vectors, progress)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _run(self, rebuild: bool, show_progress: bool, vectors: bool, progress: Progress | None) -> IndexSummary:
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
            address = index_address(settings)
            state = IndexedRecords.for_settings(settings)
            try:
                if rebuild:
                    state.set_dirty("rebuild")
                    self._drop(client, address, {name, previous.collection if previous else name})
                    state.clear()
                chroma = ChromaIndex(client, name, address, create=True, configuration=hnsw_config(settings))
                indexed = state.hashes()
                if indexed and chroma.count() == 0:
                    indexed = {}
                    state.clear()
                repaired = self._problems(state, previous, len(indexed), chroma) if not rebuild else []
                todo = sorted(p for p, h in hashes.items() if indexed.get(p) != h)
                removed = sorted(set(indexed) - set(hashes))
                if todo or removed:
                    reason = f"{len(todo)} records to embed, {len(removed)} to remove"
                    resuming = not repaired and previous is not None and previous.pending_records
                    state.set_dirty(f"{PENDING}: {reason}" if resuming else reason)
                chroma.delete_records([p for p in todo if p in indexed] + removed)
                state.forget(removed)
                before = (self.embeddings.stats.encoded, self.embeddings.stats.cached)
                sentences_before = (self.sentences.encoded, self.sentences.cached)
                pending = [] if vectors else todo
                if vectors:
                    counter = ProgressCounter(progress, len(hashes) - len(todo), len(hashes)) if progress else None
                    skipped = self._embed(store, chroma, state, todo, hashes, show_progress, counter)
                else:
                    skipped = []
                sentence_vectors = settings.index.sentence_vectors
                variant = self.embeddings.info.variant
                if vectors and sentence_vectors and previous is not None and not previous.has_sentence_vectors(variant):
                    # the records just embedded got their sentences with their chunks
                    counter = ProgressCounter(progress, len(todo), len(hashes)) if progress else None
                    self._backfill_sentences(store, sorted(set(hashes) - set(todo)), show_progress, counter)
                directory = bm25_dir(settings)
                bm25_rebuilt = bool(todo or removed or rebuild or repaired or not directory.is_dir())
                if bm25_rebuilt:
                    all_chunks, more_skipped = self._all_chunks(store, show_progress)
                    skipped = sorted(set(skipped) | set(more_skipped))
                    if vectors and (repaired or chroma.count() != len(all_chunks)):
                        repaired += self._reconcile(store, chroma, state, all_chunks, hashes)
                    self.checkpoint("before_bm25_save")
                    BM25Index.build(all_chunks, bm25_params(settings)).save(directory)
                    chunks = len(all_chunks)
                else:
                    chunks = previous.chunks if previous else 0
                sentences_encoded = self.sentences.encoded - sentences_before[0]
                sentences_cached = self.sentences.cached - sentences_before[1]
                encoded = self.embeddings.stats.encoded - before[0] - sentences_encoded
                cached = self.embeddings.stats.cached - before[1] - sentences_cached
                manifest = IndexManifest(
                    identity=identity,
                    collection=name,
                    chroma_mode=settings.chroma.mode,
                    embedding_variant=variant,
                    records=len(hashes),
                    chunks=chunks,
                    hnsw=hnsw_config(settings)["hnsw"],
                    pending_records=len(pending),
                    # a lexical pass embeds nothing: the records it leaves pending get their sentences when
                    # embedded, those embedded before keep what they had
                    sentence_vectors=sentence_vectors
                    and (vectors or rebuild or previous is None or previous.has_sentence_vectors(variant)),
                )
                if previous and not rebuild and previous.collection == name:
                    manifest.created_at = previous.created_at
                self.checkpoint("before_manifest")
                write_manifest(settings.index_dir, manifest)
                if pending:
                    state.set_dirty(f"{PENDING}: {len(pending)} records")
                else:
                    state.set_clean()
            finally:
                state.close()
        for line in repaired:
            log.warning("index repaired: %s", line)
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
            sentences_encoded=sentences_encoded,
            sentences_cached=sentences_cached,
            bm25_rebuilt=bm25_rebuilt,
            rebuilt=rebuild,
            seconds=time.perf_counter() - started,
            repaired=repaired,
            skipped=skipped,
            pending=len(pending),
        )

    def _problems(
        self, state: IndexedRecords, previous: IndexManifest | None, indexed: int, chroma: ChromaIndex
    ) -> list[str]:
        """Why the index cannot be trusted as it is: a dirty mark or counts that disagree.

        A lexical pass's index (vectors pending, as its manifest and mark say) is incomplete by design."""
        if previous is not None and previous.pending_records and (state.dirty() or "").startswith(PENDING):
            return []
        if previous is None:
            dirty = state.dirty()
            return [f"an earlier run was interrupted ({dirty})"] if dirty else []
        counts = IndexCounts(
            store_records=previous.records,  # the store is compared by content hash, not here
            indexed_records=indexed,
            manifest_records=previous.records,
            manifest_chunks=previous.chunks,
            bm25_chunks=bm25_chunk_count(self.settings),
            chroma_chunks=chroma.count(),
            dirty=state.dirty(),
        )
        return counts.disagreements(include_store=False)

    def _drop(self, client, address: str, names: set[str]) -> None:
        existing = {c.name for c in client.list_collections()}
        for name in names & existing:
            client.delete_collection(name)
        shutil.rmtree(bm25_dir(self.settings), ignore_errors=True)

    def _chunks_of(self, records: dict) -> tuple[list[Chunk], list[str]]:
        """Chunks of the records, leaving out (and naming) records over the record or passage size cap."""
        limit = self.settings.ingest.max_record_chars
        passage_limit = self.settings.index.max_passage_chars
        chunks: list[Chunk] = []
        skipped: list[str] = []
        for pmid, record in records.items():
            size = len(record.title) + len(record.abstract)
            if size > limit:
                skipped.append(
                    f"PMID {pmid}: {size} characters of title and abstract, over the limit of {limit}"
                    " (SECRETOME_INGEST__MAX_RECORD_CHARS); not indexed"
                )
                continue
            parts = chunk_record(record, self.params)
            longest = max((len(c.text) for c in parts), default=0)
            if longest > passage_limit:
                skipped.append(
                    f"PMID {pmid}: a passage of {longest} characters, over the limit of {passage_limit}"
                    " (SECRETOME_INDEX__MAX_PASSAGE_CHARS); not indexed"
                )
                continue
            chunks.extend(parts)
        return chunks, skipped

    def _embed(
        self,
        store: DocumentStore,
        chroma: ChromaIndex,
        state: IndexedRecords,
        todo: list[str],
        hashes: dict[str, str],
        show_progress: bool,
        report: Callable[[int], None] | None = None,
    ) -> list[str]:
        skipped: list[str] = []
        with tqdm(total=len(todo), desc="embedding", unit="rec", disable=not show_progress or not todo) as bar:
            for batch in _batches(todo, BATCH_RECORDS):
                chunks, too_big = self._stored_chunks(store, batch)
                skipped += too_big
                vectors = self.embeddings.embed_array([c.embed_text for c in chunks])
                if self.settings.index.sentence_vectors:
                    self._embed_sentences(chunks)
                self.checkpoint("after_embedding")
                if chunks:
                    chroma.upsert(chunks, vectors)
                self.checkpoint("after_chroma_write")
                state.mark({pmid: hashes[pmid] for pmid in batch})
                self.checkpoint("after_mark")
                bar.update(len(batch))
                if report:
                    report(len(batch))
        return skipped

    def _embed_sentences(self, chunks: list[Chunk]) -> None:
        """Put the vectors of the sentences answers may quote into the embedding cache (rag.index.sentence_vectors);
        counted apart from the chunks' own."""
        stats = self.embeddings.stats
        before = (stats.encoded, stats.cached)
        self.embeddings.embed_array(answer_sentences(chunks))
        self.sentences.encoded += stats.encoded - before[0]
        self.sentences.cached += stats.cached - before[1]

    def _stored_chunks(self, store: DocumentStore, pmids: list[str]) -> tuple[list[Chunk], list[str]]:
        """Chunks of these records as the store holds them now (see `_chunks_of`)."""
        records = store.get_many(pmids)
        return self._chunks_of({p: records[p] for p in pmids if p in records})

    def _backfill_sentences(
        self, store: DocumentStore, pmids: list[str], show_progress: bool, report: Callable[[int], None] | None
    ) -> None:
        """Embed the sentences of records indexed before sentence vectors were on (their chunks are unchanged);
        `report` hears of every batch, so a service shows how far it has got."""
        with tqdm(total=len(pmids), desc="sentence vectors", unit="rec", disable=not show_progress or not pmids) as bar:
            for batch in _batches(pmids, BATCH_RECORDS):
                self._embed_sentences(self._stored_chunks(store, batch)[0])
                bar.update(len(batch))
                if report:
                    report(len(batch))

    def _all_chunks(self, store: DocumentStore, show_progress: bool) -> tuple[list[Chunk], list[str]]:
        records = tqdm(store.iter_records(), total=store.count(), desc="bm25", unit="rec", disable=not show_progress)
        chunks: list[Chunk] = []
        skipped: list[str] = []
        for record in records:
            some, too_big = self._chunks_of({record.pmid: record})
            chunks.extend(some)
            skipped.extend(too_big)
        return chunks, skipped

    def _chroma_ids(self, chroma: ChromaIndex) -> set[str]:
        ids: set[str] = set()
        offset = 0
        while True:
            with chroma.reachable():
                page = chroma.collection.get(include=[], limit=ID_PAGE, offset=offset)["ids"]
            ids.update(page)
            if len(page) < ID_PAGE:
                return ids
            offset += len(page)

    def _reconcile(
        self,
        store: DocumentStore,
        chroma: ChromaIndex,
        state: IndexedRecords,
        expected: list[Chunk],
        hashes: dict[str, str],
    ) -> list[str]:
        """Make Chroma hold exactly the expected chunks: delete strays, embed what is missing."""
        have = self._chroma_ids(chroma)
        want = {c.chunk_id for c in expected}
        strays = sorted(have - want)
        missing = sorted({c.pmid for c in expected if c.chunk_id not in have})
        for start in range(0, len(strays), 500):
            with chroma.reachable():
                chroma.collection.delete(ids=strays[start : start + 500])
        if missing:
            state.forget(missing)
            self._embed(store, chroma, state, missing, hashes, show_progress=False)
        lines = []
        if strays:
            lines.append(f"deleted {len(strays)} Chroma chunks no record in the store has")
        if missing:
            lines.append(f"embedded {len(missing)} records whose chunks Chroma lacked")
        return lines
