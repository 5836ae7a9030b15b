"""Records to chunks: title and abstract as one unit when short, section and sentence windows when long.

Most abstracts fit one chunk, which keeps a record's whole context in one vector. Long ones are split at
section labels first (structured abstracts), then into sentence windows that share a sentence with their
neighbours, so a fact near a boundary is whole in at least one chunk. Every chunk carries the record's
metadata, because the vector store filters on it and the searcher cites from it.
"""

from dataclasses import dataclass, field

from ingest.pubmed_fields import INLINE_SECTION_LABEL
from ingest.records import PubMedRecord
from rag.text import split_prose

CHUNKER_VERSION = "sections-windows-2"



@dataclass(frozen=True)
class ChunkingParams:
    """What decides chunk boundaries; part of the index identity."""

    max_words: int = 180
    overlap_sentences: int = 1


@dataclass
class Chunk:
    """One indexed unit of a record: the text that is embedded and searched, and the record's metadata."""

    pmid: str
    index: int
    text: str
    title: str = ""
    section: str = ""
    year: int | None = None
    journal: str | None = None
    pub_types: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    trial_ids: list[str] = field(default_factory=list)
    retracted: bool = False
    sources: list[str] = field(default_factory=list)
    abstract_complete: bool = True

    @property
    def chunk_id(self) -> str:
        return f"{self.pmid}:{self.index}"

    @property
    def embed_text(self) -> str:
        """What the encoder sees: the title gives every window of a long abstract its topic."""
        if not self.title or self.text in self.title:
            return self.text
        return f"{self.title}\n{self.text}"


def sections(record: PubMedRecord) -> list[tuple[str, str]]:
    """(label, text) parts of the abstract: the parsed structure, else inline `LABEL:` markers, else one part."""
    if record.abstract_sections:
        return [(s.label, s.text) for s in record.abstract_sections if s.text.strip()]
    text = record.abstract.strip()
    marks = list(INLINE_SECTION_LABEL.finditer(text))
    if not marks:
        return [("", text)] if text else []
    parts = [("", text[: marks[0].start()].strip())]
    for mark, following in zip(marks, [*marks[1:], None]):
        end = following.start() if following else len(text)
        parts.append((mark.group(1), text[mark.end() : end].strip()))
    return [(label, body) for label, body in parts if body]


def _windows(sents: list[str], params: ChunkingParams) -> list[str]:
    """Consecutive sentences packed up to `max_words`, each window starting with the last
    `overlap_sentences` of the one before."""
    windows: list[str] = []
    start = 0
    while start < len(sents):
        end, words = start, 0
        while end < len(sents) and (end == start or words + len(sents[end].split()) <= params.max_words):
            words += len(sents[end].split())
            end += 1
        windows.append(" ".join(sents[start:end]))
        if end >= len(sents):
            break
        start = max(end - params.overlap_sentences, start + 1)
    return windows


def _pieces(record: PubMedRecord, params: ChunkingParams) -> list[tuple[str, str]]:
    """(section label, text) of each chunk of a long abstract; short neighbouring sections share a chunk."""
    pieces: list[tuple[str, str]] = []
    labels: list[str] = []
    texts: list[str] = []
    words = 0

    def flush() -> None:
        nonlocal words
        if texts:
            pieces.append(("+".join(label for label in labels if label), " ".join(texts)))
        labels.clear()
        texts.clear()
        words = 0

    for label, body in sections(record):
        body_words = len(body.split())
        if body_words > params.max_words:
            flush()
            pieces.extend((label, window) for window in _windows(split_prose(body), params))
            continue
        if words + body_words > params.max_words:
            flush()
        labels.append(label)
        texts.append(f"{label}: {body}" if label else body)
        words += body_words
    flush()
    return pieces


def chunk_record(record: PubMedRecord, params: ChunkingParams) -> list[Chunk]:
    """The chunks of one record, numbered from 0; a record with neither title nor abstract has none."""
    title = record.title.strip()
    abstract = record.abstract.strip()
    if not title and not abstract:
        return []
    if len(title.split()) + len(abstract.split()) <= params.max_words:
        pieces = [("", abstract or title)]
    elif abstract:
        pieces = _pieces(record, params)
    else:
        pieces = [("", window) for window in _windows(split_prose(title), params)]
    meta = {
        "title": title,
        "year": record.year,
        "journal": record.journal,
        "pub_types": list(record.pub_types),
        "mesh": [m.descriptor for m in record.mesh],
        "trial_ids": list(record.trial_ids),
        "retracted": record.retracted,
        "sources": list(record.sources),
        "abstract_complete": record.abstract_complete,
    }
    return [
        Chunk(pmid=record.pmid, index=i, text=text, section=label, **meta) for i, (label, text) in enumerate(pieces)
    ]
