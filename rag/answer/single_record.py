"""A yes/no answer rests on one record that covers everything the question names.

The coverage rules ask each thing a question names (a product, stem cells, a source, a preconditioning, a disease
area) of the cited records together, and an answer can stitch them: asked whether MSC-derived EVs calm airway
inflammation in allergic asthma, the service answered "Yes:" from an osteoarthritis study of MSC vesicles and an
airway study of vesicles from no stem cell. A verdict is a claim that one study made, so for a yes/no question
some single cited record must name all of them; other questions (lists, comparisons, summaries) may draw on several.

The same per-record reading decides what a briefing bullet may quote (a bullet stands alone) and which of an
answer's cited records keep their sentences (`covering_records`): when some cited record covers the question, the
others' sentences are dropped.
"""

from collections.abc import Iterable, Sequence

from core.settings import AnswerSettings
from rag.answer.coverage import coverage_gap
from rag.answer.facet_coverage import facet_gaps
from rag.answer.product_coverage import covers_product
from rag.answer.stem_cell_coverage import covers_stem_cells
from rag.types import Evidence

NO_SINGLE_RECORD = "no single record the answer cites names everything the yes/no question asks about"


def covers_everything(question: str, record: Evidence, *, stem_cells: bool = True, facets: bool = True) -> bool:
    """The record names the question's product and, where those rules are on, its stem cells and facets."""
    one = [record]
    return (
        covers_product(question, one)
        and (not stem_cells or covers_stem_cells(question, one))
        and (not facets or not facet_gaps(question, one))
    )


def rests_on_one_record(
    question: str, cited: Iterable[Evidence], *, stem_cells: bool = True, facets: bool = True
) -> bool:
    """Some one cited record covers everything; `stem_cells` and `facets` follow the coverage rules' own settings,
    so turning a rule off also stops it being asked of one record."""
    return any(covers_everything(question, record, stem_cells=stem_cells, facets=facets) for record in cited)


def covers_question(question: str, record: Evidence, rules: AnswerSettings) -> bool:
    """The record on its own passes every coverage rule the answer path asks of its cited records together
    (`rag.answer.coverage`), each as `rules` turns it on."""
    return coverage_gap(question, [record], rules) is None


def covering_records(question: str, cited: Sequence[Evidence], rules: AnswerSettings) -> set[str]:
    """The PMIDs of the cited records that each cover the question, or all of them when none does."""
    covering = {e.pmid for e in cited if covers_question(question, e, rules)}
    return covering or {e.pmid for e in cited}
