"""A question about stem or stromal cells is answered only from records that name such cells.

The product and facet rules read what a question asks of its subject; nothing read the cells themselves. Asked
which microRNAs of MSC extracellular vesicles matter for tissue repair, the service quoted a study of vesicle
microRNAs in the serum of irradiated leukaemia patients; asked whether amniotic fluid stem cells are a source of
therapeutic secreted factors, a sentence on amniotic fluid biomarkers of fetal disease. Neither record names a
stem, stromal or progenitor cell at all: the evidence is about something else, and the service says so.
"""

import re
from collections.abc import Iterable

from rag.types import Evidence

# The field's abbreviations for stem cells (MSC, BMSC, hUC-MSC, ADSC, AFSC, DPSC, iPSC, hESC, MenSC), spelled out
# in a list: other "-SC" abbreviations name other things (HSC is also a hepatic stellate cell, ASC a speck-like
# protein, ESC a cardiology society, PSC a cholangitis).
_ABBREVIATION = r"\b(?:[a-zA-Z]+-)?(?:[A-Za-z]*MSC|ADSC|AFSC|DPSC|h?iPSC|[hm]ESC|MenSC)s?\b"
NAMED_STEM_CELLS = re.compile(
    rf"(?-i:{_ABBREVIATION})|(?i:\bmesenchymal\b|\bstromal cells?\b|\b(?:stem|progenitor) cells?\b)"
)
MENTIONED_STEM_CELLS = re.compile(rf"(?-i:{_ABBREVIATION})|(?i:mesenchym\w*|stromal|\bstem[ -]?cells?\b|progenitor)")
STEM_CELLS_MISSING = "the question asks about stem or stromal cells and no record the answer cites names any"


def names_stem_cells(question: str) -> bool:
    return NAMED_STEM_CELLS.search(question) is not None


def mentions_stem_cells(record: Evidence) -> bool:
    return MENTIONED_STEM_CELLS.search(record.joined_text(mesh=True)) is not None


def covers_stem_cells(question: str, cited: Iterable[Evidence]) -> bool:
    """False only when the question names stem or stromal cells and none of the cited records does."""
    return not names_stem_cells(question) or any(mentions_stem_cells(record) for record in cited)
