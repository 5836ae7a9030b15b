"""The coverage rules, in the order the answer path asks them: why the cited records do not cover the question.

Each rule (rag/answer/*_coverage.py) asks one thing the question names of the cited records together; the answer
path refuses with the first gap found, and `rag.answer.single_record.covers_question` asks the same chain of one
record. Each rule but the product rule runs only where `rules` turns it on.
"""

from collections.abc import Sequence

from core.settings import AnswerSettings
from rag.answer.facet_coverage import facet_gaps
from rag.answer.focus_coverage import focus_gap
from rag.answer.intent_coverage import intent_gap
from rag.answer.product_coverage import PRODUCT_MISSING, covers_product
from rag.answer.stem_cell_coverage import STEM_CELLS_MISSING, covers_stem_cells
from rag.answer.tissue_coverage import tissue_gap
from rag.types import Evidence


def coverage_gap(question: str, cited: Sequence[Evidence], rules: AnswerSettings) -> str | None:
    """The first rule's reason the cited records do not cover the question, or None when they do."""
    if not covers_product(question, cited):
        return PRODUCT_MISSING
    if rules.stem_cell_coverage and not covers_stem_cells(question, cited):
        return STEM_CELLS_MISSING
    if rules.facet_coverage and (gaps := facet_gaps(question, cited)):
        return gaps[0].reason
    if rules.tissue_coverage and (reason := tissue_gap(question, cited)):
        return reason
    if rules.intent_coverage and (reason := intent_gap(question, cited)):
        return reason
    if rules.focus_coverage and (gap := focus_gap(question, cited)):
        return gap.reason
    return None
