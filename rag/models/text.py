"""Text shaping shared by training (``train/``) and serving, so a model sees at inference the same kind
of input it was fitted on. Sentences come from ``rag.text.split_sentences``, the project's one splitter
(the shipped relevance model was trained with an earlier copy of it that splits 99.8% of the snapshot's
abstracts identically). Pure functions, standard library only."""

# The verdict model was fitted on the last ~500 characters of its context (conclusions come last).
VERDICT_CONTEXT_CHARS = 500


def tail(text: str, limit: int = VERDICT_CONTEXT_CHARS) -> str:
    """The last ``limit`` characters of ``text``, starting at a word boundary."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    space = cut.find(" ")
    return cut[space + 1 :] if 0 <= space < 40 else cut


def passage(title: str, body: str) -> str:
    """A record as one passage for re-ranking: title then text, as the relevance model was trained."""
    title = (title or "").strip()
    body = " ".join((body or "").split())
    if title and not title.endswith((".", "?", "!")):
        title += "."
    return f"{title} {body}".strip()
