"""A question about a cell-free product is answered only from records that mention one.

The refusal threshold scores single sentences, and a sentence can match half a question well: asked whether
MSC exosomes reduce infarct size in pigs, the service quoted a pig infarction study without any exosomes. In
this field the product (exosomes, extracellular vesicles, secretome, conditioned medium) is what a question is
about, so when the question names one and none of the records an answer cites mentions a product or secretion
at all, the evidence is about something else and the service says so instead of answering.
"""

import re
from collections.abc import Iterable, Sequence

from rag.types import Evidence

_EV = r"\b(?:s?EVs?)\b"  # case-sensitive: "ev" is no abbreviation
# The review's own words for the product count too ("cell-free therapy", "paracrine factors", "secreted
# factors": the profile dictionaries read them as the secretome); "cell-free" alone does not ("cell-free DNA").
NAMED_PRODUCT = re.compile(
    rf"{_EV}|(?i:\b(?:exosom\w*|extracellular vesicles?|microvesicles?|secretomes?|conditioned medi(?:um|a)"
    r"|cell-free (?:therap|approach|product|option|treatment|strateg)\w*|paracrine\w*|secreted factors?)\b)"
)
MENTIONED_PRODUCT = re.compile(
    rf"{_EV}|(?i:\b(?:exosom\w*|\w*vesic\w*|secretom\w*|conditioned medi(?:um|a)|paracrine|secret(?:ed|ion|ory)\w*)\b)"
)
PRODUCT_MISSING = "the question asks about a cell-free product and no record the answer cites mentions one"


def names_product(question: str) -> bool:
    return NAMED_PRODUCT.search(question) is not None


def mentions_product(record: Evidence) -> bool:
    return MENTIONED_PRODUCT.search(record.joined_text()) is not None


def covers_product(question: str, cited: Iterable[Evidence]) -> bool:
    """False only when the question names a product and none of the cited records mentions one."""
    return not names_product(question) or any(mentions_product(record) for record in cited)


def product_evidence(question: str, evidence: Sequence[Evidence]) -> list[Evidence]:
    """The records a question naming a product is answered from: those that mention one, when any does.

    Without this, a record about the parent cells alone could lend the answer its best-matching sentence and
    push the product study out (then the answer was refused by `covers_product`, or cited the wrong record);
    when no record mentions a product, the evidence is kept whole so the refusal can list the nearest records.
    """
    if not names_product(question):
        return list(evidence)
    return [record for record in evidence if mentions_product(record)] or list(evidence)
