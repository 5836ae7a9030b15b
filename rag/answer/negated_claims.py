"""A quoted sentence that denies what a yes/no question asks turns the verdict to "no".

The verdict model leans to "yes" (BioASQ test: gold "no" 38 yes / 10 no), and an answer that opens "Yes:" above a
sentence saying the opposite ("BMP-ALK1/2/3 inhibition cannot program mesenchymal stromal cells toward stable
chondrogenesis") misleads the reader worst of all. A sentence denies the question when a negation ("not",
"cannot", "failed to", "instead of", "no adverse effects", "lack of", ...) is followed, within its clause and eight
words, by at least two of the question's content terms. Relative clauses that describe a group ("patients who did
not receive ...", "whose disease had not been controlled", "did and did not") and statements of ignorance ("it is
not known whether", "has not been clarified") deny nothing. Designed on the train split's answers and the team's
seen sets (`docs/experiments.md`).
"""

import re
from collections.abc import Iterable

from rag.text import StemmedTerms

NEGATION = re.compile(
    r"\b(?:not|cannot|can't|never|neither|nor|fail(?:s|ed)? to|unable to|instead of|independent(?:ly)? of"
    r"|rather than|no longer|no(?!\s+(?:doubt|matter)\b)|none of|lack(?:s|ed)? of)\b",
    re.IGNORECASE,
)
SCOPE_WORDS = 8
TERMS_NEEDED = 2
CLAUSE_END = re.compile(r"[,;:.]")
# Within three words after these the clause still describes a group ("who reported no substance use"); "that"
# counts only right before the negation or its auxiliary ("cells that did not"), since "show that X cannot" states a
# finding.
GROUP_PRONOUNS = {"who", "whom", "whose", "which"}
AUXILIARY = {"did", "do", "does", "were", "was", "are", "is", "had", "have"}
BOTH_GROUPS = re.compile(r"\b(?:and|or)\s+(?:\w+\s+)?$", re.IGNORECASE)  # "did and did not", "with or without"
IGNORANCE = re.compile(
    r"\s*(?:yet\b|(?:been\s+)?(?:fully\s+|well\s+|completely\s+|clearly\s+)?(?:known|clear|clarified|understood"
    r"|elucidated|studied|investigated|examined|established|determined|reported|explored|addressed|defined"
    r"|characteri[sz]ed)\b)",
    re.IGNORECASE,
)


def describes_a_group_or_ignorance(sentence: str, start: int, end: int) -> bool:
    before = sentence[:start].lower().split()
    if GROUP_PRONOUNS & set(before[-3:]):
        return True
    if before[-1:] == ["that"] or (before[-2:-1] == ["that"] and before[-1] in AUXILIARY):
        return True
    if BOTH_GROUPS.search(sentence[:start]):
        return True
    return IGNORANCE.match(sentence, end) is not None


def denying_sentence(question: str, sentences: Iterable[str], terms: StemmedTerms | None = None) -> str | None:
    """The first sentence that denies what the question asks, or None."""
    terms = terms or StemmedTerms()
    asked = terms.terms(question)
    for sentence in sentences:
        for match in NEGATION.finditer(sentence):
            if describes_a_group_or_ignorance(sentence, match.start(), match.end()):
                continue
            scope = " ".join(CLAUSE_END.split(sentence[match.end() :])[0].split()[:SCOPE_WORDS])
            if len(terms.terms(scope) & asked) >= TERMS_NEEDED:
                return sentence
    return None
