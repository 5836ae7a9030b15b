"""Which sentences the indexer embeds ahead of the answer stage.

An extractive answer reads every candidate sentence of the retrieved records with the embedding model; per
question that was about a third of an answer's time (cProfile of warm asks). The indexer embeds the same
sentences into the embedding cache once, and the serving process reads their vectors from there. The int8
encoder encodes one text at a time (`rag.index.encoders.int8_variant`), so a stored vector is bit for bit the
one the question would have computed, and answers are the same with or without them.
"""

from collections.abc import Sequence

from rag.index.chunking import Chunk
from rag.text import cut_fragment_quote, passage_sentences, title_sentence, title_states_finding


def answer_sentences(chunks: Sequence[Chunk]) -> list[str]:
    """The texts the answer stage may quote from these chunks: each complete sentence once, a cut abstract's
    final fragment as quoted (`cut_fragment_quote`), and a title that states a finding (`title_states_finding`;
    offered in place of a partial abstract's sentences, or beside them by the record an answer ranks first),
    as `candidate_sentences` offers them.

    The answer stage filters further (length, instruction-like text); embedding a few more costs little."""
    texts: dict[str, None] = {}
    by_record: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_record.setdefault(chunk.pmid, []).append(chunk)
    for record_chunks in by_record.values():
        for chunk in record_chunks:
            for sentence in passage_sentences(chunk.text, chunk.title, truncated=not chunk.abstract_complete):
                text = sentence.text if sentence.complete else cut_fragment_quote(sentence.text)
                if text is not None:
                    texts[text] = None
        title = title_sentence(record_chunks[0].title)
        if title_states_finding(title):
            texts[title] = None
    return list(texts)
