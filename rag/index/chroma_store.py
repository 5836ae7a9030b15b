"""The dense side of the index: a Chroma collection, embedded or behind a `chroma run` server.

Both modes take the same code path; only the client differs. We always hand Chroma our own vectors, so its
default embedding function (which downloads a model) never runs. Queries go to chromadb's `collection.query`
directly, not through LangChain's Chroma wrapper: importing that (and the langsmith tracing it pulls in) cost
about a second of every cold `secretome-qa ask`. Failures to reach a server become
`VectorStoreUnavailableError` with the address in the message, wherever they happen.

chromadb itself is imported where a client is made: importing it takes over a second, which the CLI spends
in a helper process (rag/index/chroma_process.py) while this one loads the models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx
import numpy as np

from core.errors import IndexMismatchError, IndexMissingError, VectorStoreUnavailableError
from core.settings import Settings
from rag.index.chunking import Chunk
from rag.types import SearchFilters

if TYPE_CHECKING:
    import chromadb

T = TypeVar("T")
UPSERT_BATCH = 2000
# A server that goes away surfaces as one of these, depending on where the request was when it broke.
_UNREACHABLE = (httpx.TransportError, ConnectionError, OSError)


def server_address(settings: Settings) -> str:
    return f"http://{settings.chroma.host}:{settings.chroma.port}"


def index_address(settings: Settings) -> str:
    """Where the dense index lives, for messages: the server's URL or the index dir."""
    return server_address(settings) if settings.chroma.mode == "http" else str(settings.index_dir)


def make_client(settings: Settings) -> chromadb.ClientAPI:
    """An embedded `PersistentClient` under the index dir, or an `HttpClient` checked with a heartbeat."""
    import chromadb
    import chromadb.errors
    from chromadb.config import Settings as ChromaClientSettings

    client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma.mode == "embedded":
        path = settings.index_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=client_settings)
    address = server_address(settings)
    if settings.chroma.token is not None:
        # sent on every request as `Authorization: Bearer <token>` (or X-Chroma-Token), for a server or a
        # proxy in front of it that checks tokens
        client_settings = ChromaClientSettings(
            anonymized_telemetry=False,
            allow_reset=False,
            chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
            chroma_client_auth_credentials=settings.chroma.token.get_secret_value(),
            chroma_auth_token_transport_header=settings.chroma.token_header,
        )
    try:
        client = chromadb.HttpClient(host=settings.chroma.host, port=settings.chroma.port, settings=client_settings)
        client.heartbeat()
    except (*_UNREACHABLE, ValueError, chromadb.errors.ChromaError) as exc:
        raise VectorStoreUnavailableError(f"Chroma server at {address} is not reachable: {exc}") from exc
    return client


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    """Chroma metadata for a chunk: scalars and non-empty lists only (Chroma refuses None and [])."""
    meta: dict[str, Any] = {
        "pmid": chunk.pmid,
        "index": chunk.index,
        "section": chunk.section,
        "title": chunk.title,
        "has_trial_id": bool(chunk.trial_ids),
        "retracted": chunk.retracted,
        "abstract_complete": chunk.abstract_complete,
    }
    if chunk.year is not None:
        meta["year"] = chunk.year
    if chunk.journal:
        meta["journal"] = chunk.journal
    lists = {
        "pub_types": chunk.pub_types,
        "mesh": chunk.mesh,
        "trial_ids": chunk.trial_ids,
        "sources": chunk.sources,
        "pub_types_lc": [p.lower() for p in chunk.pub_types],
        "sources_lc": [s.lower() for s in chunk.sources],
    }
    meta.update({key: value for key, value in lists.items() if value})
    return meta


def where_clause(filters: SearchFilters | None) -> dict[str, Any] | None:
    """The Chroma `where` filter equivalent to `filters` (pub types and sources match case-insensitively)."""
    if filters is None:
        return None
    terms: list[dict[str, Any]] = []
    if filters.year_from is not None:
        terms.append({"year": {"$gte": filters.year_from}})
    if filters.year_to is not None:
        terms.append({"year": {"$lte": filters.year_to}})
    if filters.has_trial_id is not None:
        terms.append({"has_trial_id": filters.has_trial_id})
    if filters.exclude_retracted:
        terms.append({"retracted": False})
    for key, values in (("pub_types_lc", filters.pub_types), ("sources_lc", filters.sources)):
        options = [{key: {"$contains": v.lower()}} for v in values]
        if options:
            terms.append(options[0] if len(options) == 1 else {"$or": options})
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else {"$and": terms}


@dataclass
class DenseHit:
    chunk_id: str
    pmid: str
    similarity: float
    text: str
    metadata: dict[str, Any]

    def chunk(self) -> Chunk:
        """The chunk as Chroma stored it, for hits the local chunk table does not know."""
        meta = self.metadata
        return Chunk(
            pmid=self.pmid,
            index=int(meta.get("index", 0)),
            text=self.text,
            title=meta.get("title", ""),
            section=meta.get("section", ""),
            year=meta.get("year"),
            journal=meta.get("journal"),
            pub_types=list(meta.get("pub_types", [])),
            mesh=list(meta.get("mesh", [])),
            trial_ids=list(meta.get("trial_ids", [])),
            retracted=bool(meta.get("retracted", False)),
            sources=list(meta.get("sources", [])),
            abstract_complete=bool(meta.get("abstract_complete", True)),
        )


class DenseReader(Protocol):
    """What the read path asks of the dense index: a `ChromaIndex`, or one in a helper process."""

    def query(self, vector: np.ndarray, n: int, filters: SearchFilters | None = None) -> list[DenseHit]: ...

    def vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class ChromaIndex:
    """One collection of chunk vectors, written and queried with our precomputed vectors through chromadb."""

    def __init__(
        self,
        client: chromadb.ClientAPI,
        name: str,
        address: str,
        create: bool,
        configuration: dict | None = None,
    ):
        self.client = client
        self.name = name
        self.address = address
        if not create and name not in self._guard(lambda: [c.name for c in client.list_collections()]):
            raise IndexMissingError(f"Chroma collection {name!r} does not exist at {address}")
        if create:
            self.collection = self._guard(
                lambda: client.get_or_create_collection(name, configuration=configuration, embedding_function=None)
            )
        else:
            self.collection = self._guard(lambda: client.get_collection(name))
        space = (self.collection.configuration.get("hnsw") or {}).get("space")
        if space != "cosine":
            raise IndexMismatchError(f"Chroma collection {name!r} at {address} uses {space!r} distance, not cosine")

    def _guard(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.reachable():
            return call(*args, **kwargs)

    @contextmanager
    def reachable(self) -> Iterator[None]:
        try:
            yield
        except _UNREACHABLE as exc:
            raise VectorStoreUnavailableError(f"Chroma at {self.address} stopped answering: {exc}") from exc

    def count(self) -> int:
        return self._guard(self.collection.count)

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), UPSERT_BATCH):
            part = chunks[start : start + UPSERT_BATCH]
            self._guard(
                self.collection.upsert,
                ids=[c.chunk_id for c in part],
                embeddings=vectors[start : start + len(part)],
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c) for c in part],
            )

    def delete_records(self, pmids: list[str]) -> None:
        for start in range(0, len(pmids), 500):
            self._guard(self.collection.delete, where={"pmid": {"$in": pmids[start : start + 500]}})

    def query(self, vector: np.ndarray, n: int, filters: SearchFilters | None = None) -> list[DenseHit]:
        """The `n` nearest chunks by cosine similarity (1 - cosine distance), best first."""
        found = self._guard(
            lambda: self.collection.query(
                query_embeddings=[vector.tolist()],
                n_results=n,
                where=where_clause(filters),
                include=["documents", "metadatas", "distances"],
            )
        )
        rows = zip(found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0], strict=True)
        return [
            DenseHit(cid, meta["pmid"], 1.0 - distance, text, meta)
            for cid, text, meta, distance in rows
            if text is not None
        ]

    def vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        """chunk id -> stored vector; ids the collection lacks are left out."""
        if not chunk_ids:
            return {}
        got = self._guard(lambda: self.collection.get(ids=chunk_ids, include=["embeddings"]))
        return {cid: np.asarray(vec, dtype=np.float32) for cid, vec in zip(got["ids"], got["embeddings"])}

    def close(self) -> None:
        """Nothing to release: the client belongs to whoever made it."""

    def drop(self) -> None:
        """Delete the collection (for `--rebuild`)."""
        self._guard(lambda: self.client.delete_collection(self.name))
