"""The part of a question that says what it asks, without the clause naming what it does not.

"Apart from self-renewal and differentiation into several lineages, which functions of MSCs underpin their
therapeutic promise?" asks about functions other than those named: a record that answers it need not mention
lineages. The coverage rules (`facet_coverage`, `focus_coverage`) read a question's details to decide whether the
cited records are about the same thing, so they read the question with its exclusion clause taken out.
"""

import re

# The clause runs to the next comma, semicolon or the question mark ("besides extracellular vesicles?").
EXCLUSION_CLAUSE = re.compile(r"\b(?:apart from|aside from|besides|other than|except(?: for)?)\b[^,;?]*", re.IGNORECASE)


def without_exclusions(question: str) -> str:
    return EXCLUSION_CLAUSE.sub(" ", question)
