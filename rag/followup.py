"""Follow-ups rewritten into standalone questions without an LLM: deterministic, offline, table-tested.

The previous (already standalone) question gives the conversation's subject: its noun phrase about the
thing studied ("MSC-derived extracellular vesicles"), never a category word ("regulatory", "sources").
A follow-up then becomes standalone by one of four moves, tried in order:

1. pronouns ("they", "them", "it", "these vesicles", "their") are replaced by the subject;
2. an elliptical "What about umbilical cord?" swaps the term of the same kind in the previous question
   (adipose -> umbilical cord, mice -> rats, exosomes -> microvesicles);
3. an elliptical prepositional phrase ("And in rats?") is added to the previous question;
4. any other fragment is asked about the subject ("What about safety?" -> "What about safety of MSC EVs?").

An opening "And"/"Also"/"So" is dropped, so "And do they contain microRNAs?" is a yes/no question again.
"""

import re

from rag.text import CONTENT_STOPWORDS, WORD

REFERRING = re.compile(r"\b(?:it|its|they|them|their|theirs|these|those|this|that|such|same)\b", re.IGNORECASE)
FOLLOW_UP_START = re.compile(
    r"^\s*(?:and|also|so|but|what about|how about|what else|which of|why|then)\b", re.IGNORECASE
)
OPENER = re.compile(r"^\s*(?:and|also|so|but|then)\b[\s,]*", re.IGNORECASE)
ELLIPSIS = re.compile(
    r"^\s*(?:(?:and|also|so|but)\s+)?(?:what|how)\s+about\s+(?P<what>.+?)\s*[?.!]*\s*$"
    r"|^\s*(?:and|also)\s+(?P<bare>(?!(?:is|are|was|were|do|does|did|can|could|should|would|will|has|have|had|"
    r"may|might|must|what|which|how|why|when|where|who)\b).+?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
PREPOSITION = re.compile(r"^(?:in|for|from|with|after|before|during|on|at|by|without|versus|vs\.?)\b", re.IGNORECASE)
COMMON_VERBS = frozenset(
    ["contain", "contains", "carry", "carries", "have", "has", "show", "shows", "affect", "affects", "promote", "promotes", "reduce", "reduces", "increase", "increases", "cause", "causes", "mediate", "mediates", "use", "used", "work", "works", "help", "helps", "improve", "improves", "act", "acts", "make", "makes", "give", "gives", "given", "take", "takes", "protect", "protects", "produce", "produces", "produced", "secrete", "secretes", "release", "releases", "apply", "applies", "face", "faces", "compare", "compared", "differ", "differs", "tested", "test", "treat", "treated", "isolate", "isolated", "characterise", "characterize", "characterised", "characterized", "yield", "yields", "drive", "drives", "define", "defines", "best"]
)
# Words that name the kind of question or an attribute, never the thing the conversation is about.
CATEGORY_WORDS = frozenset(
    ["regulatory", "regulation", "regulations", "hurdle", "hurdles", "challenge", "challenges", "barrier", "barriers", "standard", "standards", "reporting", "guideline", "guidelines", "requirement", "requirements", "criteria", "mechanism", "mechanisms", "pathway", "pathways", "source", "sources", "trial", "trials", "clinical", "phase", "evidence", "role", "roles", "effect", "effects", "main", "key", "major", "common", "type", "types", "kind", "kinds", "outcome", "outcomes", "issue", "issues", "problem", "problems", "concern", "concerns", "approach", "approaches", "method", "methods", "strategy", "strategies", "benefit", "benefits", "risk", "risks", "data", "studies", "study", "current", "known"]
)
GLUE = frozenset({"regarding", "concerning", "like", "than", "versus", "vs", "also", "still", "already", "ever"})
# The things a conversation in this domain is about: a phrase holding one of these is the subject.
SUBJECT_HEADS = re.compile(
    r"\b(?:exosomes?|EVs?|sEVs?|extracellular vesicles?|vesicles?|microvesicles?|secretomes?|conditioned medi(?:um|a)|"
    r"MSCs?|ADSCs?|BMSCs?|stem cells?|stromal cells?|progenitor cells?|cells|therap(?:y|ies)|products?|"
    r"microRNAs?|miR-\w+|lysates?|fluids?|factors?)\b",
    re.IGNORECASE,
)
CELL = re.compile(
    r"\b(?:MSCs?|mesenchymal (?:stem|stromal)(?:/stromal)? cells?|stem cells?|stromal cells?|ADSCs?|BMSCs?)\b",
    re.IGNORECASE,
)
PRODUCT = re.compile(
    r"\b(?:exosomes?|EVs?|sEVs?|extracellular vesicles?|vesicles?|microvesicles?|secretomes?|"
    r"conditioned medi(?:um|a))\b",
    re.IGNORECASE,
)
# Interchangeable terms: "What about X?" swaps the previous question's term of the same kind.
SLOTS: dict[str, re.Pattern[str]] = {
    "tissue": re.compile(
        r"\b(?:adipose(?: tissue)?|bone marrow|umbilical cord(?: blood)?|Wharton'?s jelly|placenta(?:l)?|"
        r"amniotic (?:fluid|membrane)|amniotic|dental pulp|menstrual blood|induced pluripotent|iPSC|"
        r"cord blood|gingiva(?:l)?|synovial)\b",
        re.IGNORECASE,
    ),
    "vesicle": re.compile(
        r"\b(?:exosomes|small extracellular vesicles|extracellular vesicles|microvesicles|apoptotic bodies|"
        r"conditioned medium|secretome|EVs|sEVs)\b",
        re.IGNORECASE,
    ),
    "condition": re.compile(
        r"\b(?:(?:knee|hip|rheumatoid|psoriatic)\s+)?(?:osteo)?arthritis|\b(?:(?:liver|kidney|renal|lung|pulmonary|"
        r"cardiac|intestinal|skin)\s+)?fibrosis|\bstroke|\bCOVID-19|\bARDS|\bsepsis|\b(?:type [12] )?diabetes|"
        r"\bmyocardial infarction|\bGVHD|\bgraft-versus-host disease|\bcolitis|\bCrohn'?s disease|"
        r"\bAlzheimer'?s disease|\bParkinson'?s disease|\bspinal cord injury|\bpsoriasis|\balopecia|"
        r"\bbronchopulmonary dysplasia|\bnecrotizing enterocolitis",
        re.IGNORECASE,
    ),
    "model": re.compile(r"\b(?:mice|mouse|rats?|pigs?|rabbits?|dogs?|sheep|primates|monkeys|humans|patients)\b",
                        re.IGNORECASE),
}
REPLACEABLE = re.compile(r"\b(?:they|them|it)\b", re.IGNORECASE)
POSSESSIVE = re.compile(r"\b(?:their|its)\b", re.IGNORECASE)
DEMONSTRATIVE = re.compile(
    r"\b(?:these|those|such|the same)\s+(?P<noun>[A-Za-z-]+(?:\s+vesicles)?)\b", re.IGNORECASE
)


def _words(text: str) -> list[str]:
    return WORD.findall(text)


def is_follow_up(message: str) -> bool:
    """A message that leans on the previous turn: a pronoun, a follow-up opener, or two content words at most."""
    content = [w for w in _words(message) if w.lower() not in CONTENT_STOPWORDS]
    return bool(REFERRING.search(message) or FOLLOW_UP_START.match(message) or len(content) <= 2)


def _runs(question: str) -> list[list[str]]:
    """Runs of content words, split at stop words, common verbs and category words."""
    runs: list[list[str]] = [[]]
    for word in _words(question):
        lower = word.lower()
        if lower in CONTENT_STOPWORDS or lower in COMMON_VERBS or lower in CATEGORY_WORDS or lower in GLUE:
            runs.append([])
        else:
            runs[-1].append(word)
    return [run for run in runs if run]


def key_entities(question: str, evidence_text: str = "") -> str:
    """The subject noun phrase of a question: the longest run of content words that names a domain thing.

    "What regulatory hurdles face MSC-derived EVs?" gives "MSC-derived EVs", not "regulatory"; evidence
    text, when given, trims words at the edges of the phrase that the evidence never uses.
    """
    runs = _runs(question)
    seen = evidence_text.lower()
    if seen:
        trimmed = []
        for run in runs:
            while run and run[0].lower() not in seen and not SUBJECT_HEADS.fullmatch(run[0]):
                run = run[1:]
            while run and run[-1].lower() not in seen and not SUBJECT_HEADS.fullmatch(run[-1]):
                run = run[:-1]
            trimmed.append(run)
        runs = [r for r in trimmed if r] or runs
    if not runs:
        return ""
    runs = [_end_at_head(run) for run in runs]
    best = max(runs, key=lambda run: (bool(SUBJECT_HEADS.search(" ".join(run))), len(run)))
    subject = " ".join(best)
    others = [" ".join(run) for run in runs if run is not best]
    if PRODUCT.search(subject) and not CELL.search(subject):
        # "MSC sources ... extracellular vesicles": the vesicles are the MSCs' vesicles
        cells = [(text, CELL.search(text)) for text in others if CELL.search(text)]
        if cells:
            text, cell = cells[0]
            subject = f"{text[: cell.end()]} {subject}"
    elif CELL.search(subject) and not PRODUCT.search(subject):
        # "umbilical cord MSC sources ... extracellular vesicles": the product is what is asked about
        products = [text for text in others if PRODUCT.search(text)]
        if products:
            subject = f"{subject} {products[0]}"
    return subject


def _end_at_head(run: list[str]) -> list[str]:
    """A run cut after its last subject head: "MSC exosomes labelled" -> "MSC exosomes"."""
    text = " ".join(run)
    heads = list(SUBJECT_HEADS.finditer(text))
    if not heads:
        return run
    return text[: heads[-1].end()].split(" ")


def _body(question: str) -> str:
    return question.strip().rstrip("?.! ").strip()


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _possessive(subject: str) -> str:
    return f"{subject}'" if subject.lower().endswith("s") else f"{subject}'s"


def _swap(previous: str, fragment: str) -> str | None:
    """The previous question with its term of the fragment's kind replaced by the fragment, if both have one."""
    for pattern in SLOTS.values():
        new = pattern.search(fragment)
        old = pattern.search(previous)
        if new and old and new.group(0).lower() != old.group(0).lower():
            return previous[: old.start()] + new.group(0) + previous[old.end() :]
    return None


def _qualify(previous: str, subject: str, fragment: str) -> str | None:
    """"What about umbilical cord?" after a question on MSC EVs: the fragment qualifies the subject."""
    if not subject or not SLOTS["tissue"].fullmatch(fragment.strip()):
        return None
    cell = CELL.search(previous)
    if cell:
        return f"{previous[: cell.start()]}{fragment.strip()} {previous[cell.start() :]}"
    qualified = f"{fragment.strip()} {subject}"
    if subject in previous:
        return previous.replace(subject, qualified, 1)
    return f"{_body(previous)}, for {qualified}?"


def resolve_pronouns(message: str, subject: str) -> str:
    """Replace "they/them/it", "their/its" and "these <noun>" with the subject."""
    text = DEMONSTRATIVE.sub(subject, message, count=1)
    if text == message:
        text = REPLACEABLE.sub(subject, message, count=1)
    if text == message:
        text = POSSESSIVE.sub(_possessive(subject), message, count=1)
    if text == message and re.search(r"\b(?:these|those|this|that)\b\s*[?.!]*$", message, re.IGNORECASE):
        text = re.sub(r"\b(?:these|those|this|that)\b(?=\s*[?.!]*$)", subject, message, count=1, flags=re.IGNORECASE)
    return text


def rewrite_follow_up(message: str, previous_question: str, evidence_text: str = "") -> str:
    """The follow-up `message` as a standalone question, given the previous turn's standalone question."""
    message = message.strip()
    if not previous_question or not is_follow_up(message):
        return message
    subject = key_entities(previous_question, evidence_text)
    ellipsis = ELLIPSIS.match(message)
    if ellipsis and not REFERRING.search(ellipsis.group("what") or ellipsis.group("bare") or ""):
        fragment = (ellipsis.group("what") or ellipsis.group("bare") or "").strip()
        swapped = _swap(previous_question, fragment)
        if swapped:
            return swapped
        if PREPOSITION.match(fragment):
            return f"{_body(previous_question)} {fragment}?"
        qualified = _qualify(previous_question, subject, fragment)
        if qualified:
            return qualified
        if subject and subject.lower() not in fragment.lower():
            return f"What about {fragment} for {subject}?"
        return _capitalise(f"{fragment}?")
    stripped = _capitalise(OPENER.sub("", message, count=1)) or message
    if not subject or subject.lower() in stripped.lower():
        return stripped
    resolved = resolve_pronouns(stripped, subject)
    if resolved != stripped:
        return _capitalise(resolved)
    return f"{_body(stripped)}, regarding {subject}?"
