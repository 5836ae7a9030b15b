"""Question routing without an LLM: which kind of question this is, and what evidence it should prefer.

Two signals are combined: cosine similarity of the question to a few prototype questions per category
(with the same embedding model the index uses), and cue terms that name the category outright ("phase",
"NCT", "GMP", "potency assay"). Yes/no questions are recognised by a small trained classifier (rag.models.question_kind).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.answer.prototype_cache import prototype_vectors
from rag.models.question_kind import answer_form, is_yes_no_question
from rag.types import AnswerForm, Category, Evidence

PROTOTYPES: dict[Category, list[str]] = {
    "mechanisms": [
        "How do mesenchymal stem cell exosomes reduce inflammation?",
        "Which microRNAs in extracellular vesicles mediate tissue repair?",
        "What signalling pathway does the secretome activate in target cells?",
        "By what mechanism does conditioned medium promote angiogenesis?",
        "Which paracrine factors drive the regenerative effect?",
    ],
    "sources": [
        "Which cell sources are used to produce secretome or conditioned medium?",
        "How are extracellular vesicles isolated and manufactured at scale?",
        "Does hypoxic preconditioning change what the cells secrete?",
        "Are bone marrow, adipose or umbilical cord MSCs better sources of exosomes?",
        "How is amniotic fluid or placental tissue used to derive stem cells?",
    ],
    "trials": [
        "Which clinical trials have tested stem cell secretome therapy in patients?",
        "What phase are the clinical studies of exosome treatment?",
        "Was the cell-free therapy safe and effective in a randomized trial?",
        "What outcomes did patients show after receiving the treatment?",
        "Which biomarkers measured in patient samples predict the disease course?",
        "What dose and schedule were given to patients in the study?",
    ],
    "regulatory": [
        "What regulatory hurdles face extracellular vesicle therapeutics?",
        "How should potency and quality of secretome products be standardized?",
        "What GMP manufacturing and release criteria apply to cell-derived products?",
        "Which guidelines define minimal information for studies of extracellular vesicles?",
        "How should the identity and purity of vesicle preparations be characterised?",
        "Which criteria and markers define mesenchymal stromal cells?",
        "Why do donor-to-donor and batch-to-batch differences complicate clinical use?",
    ],
}

CUES: dict[Category, re.Pattern[str]] = {
    "mechanisms": re.compile(
        r"\b(?:mechanis\w*|pathways?|signal\w*|mediat\w*|paracrine|microRNAs?|miR-\w+|cargo|receptors?|"
        r"how does|how do|modulat\w*|macrophage polari[sz]ation|apoptosis|angiogen\w*)\b",
        re.IGNORECASE,
    ),
    "sources": re.compile(
        r"\b(?:sources?|derived from|isolat\w*|manufactur\w*|production|produce|yield|bioreactors?|"
        r"preconditioning|hypoxi\w*|culture conditions?|adipose|bone marrow|umbilical|placenta\w*|"
        r"amniotic|ultracentrifugation|scal\w+ up)\b",
        re.IGNORECASE,
    ),
    "trials": re.compile(
        r"\b(?:clinical trials?|trials?|phase (?:I{1,3}V?|IV|[1-4])|NCT\d{8}|patients|randomi[sz]ed|"
        r"placebo|first-in-human|enrolled|safety and efficacy)\b",
        re.IGNORECASE,
    ),
    "regulatory": re.compile(
        r"\b(?:regulat\w+ (?:hurdles?|approval|framework|agenc\w+|requirements?)|regulatory|FDA|EMA|GMP|"
        r"standardi[sz]\w*|guidelines?|potency assays?|release criteria|quality control|MISEV\w*|"
        r"reproducibility|harmoni[sz]\w*|legislation)\b",
        re.IGNORECASE,
    ),
}


YES_OR_NO = re.compile(r"\byes,?\s+or\s+no\b", re.IGNORECASE)
EITHER_OR = re.compile(r"\bor\b[^?]*\?\s*$", re.IGNORECASE)
# What makes "A or B" a choice to make rather than part of what is asked ("Do MSC EVs or conditioned medium reduce
# fibrosis?"): a comparison.
CHOICE_WORDS = re.compile(
    r"\b(?:better|best|more|less|superior|inferior|preferable|preferred|rather than|versus|vs)\b", re.IGNORECASE
)
# A condition or setting put before the question ("When MSCs are primed with IFN-gamma, do their EVs ...?", "In
# children given autologous grafts, do ...?"): the recogniser reads the opening wh-word or preposition, so the
# clause after the last comma that opens with an auxiliary is read on its own. Not when the lead asks something
# itself (a wh-word) or is "when" plus a comma or preposition ("When in the cell cycle, does ...?" asks when).
LEAD_CLAUSE = re.compile(
    r"^(?P<lead>(?:when|whenever|if|once|while|after|before|unless|although|though|since|because|as|given|for|in|"
    r"among|under|during|besides|beyond|apart from|with|without|compared (?:with|to)|at|on|by|from|to)\b[^?]*),\s+"
    r"(?P<main>(?:is|are|was|were|do|does|did|can|could|may|might|should|would|will|has|have|had|must|shall)\b"
    r"[^?]*\?)\s*$",
    re.IGNORECASE,
)
ASKING_LEAD = re.compile(
    r"\b(?:what|which|who|whom|whose|how|why|where)\b|^when\s*(?:,|(?:in|at|on|during|after|before|within)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RetrievalPreference:
    """How a category re-orders retrieved evidence: boosts by study design, never a hard filter."""

    boost_types: frozenset[str] = frozenset()
    boost_trial_ids: bool = False
    boost: float = 0.0


PREFERENCES: dict[Category, RetrievalPreference] = {
    "trials": RetrievalPreference(
        frozenset({"clinical trial", "randomized controlled trial"}), boost_trial_ids=True, boost=0.5
    ),
    "regulatory": RetrievalPreference(frozenset({"review", "systematic review / meta-analysis"}), boost=0.3),
    "mechanisms": RetrievalPreference(frozenset({"animal study", "in vitro", "other"}), boost=0.15),
    "sources": RetrievalPreference(frozenset({"animal study", "in vitro", "other"}), boost=0.15),
    "other": RetrievalPreference(),
}


@dataclass(frozen=True)
class Route:
    """Where a question goes: its category, whether it asks yes/no, what form of answer it wants, and the
    per-category scores."""

    category: Category
    form: AnswerForm | None = None
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def yes_no(self) -> bool:
        return self.form == "yes_no"

    @property
    def preference(self) -> RetrievalPreference:
        return PREFERENCES[self.category]


def is_yes_no(question: str) -> bool:
    """Whether the question asks yes or no, as people write them ("X: does it ...?", "And do they ...?").

    The trained recogniser (rag/models/question_kind.py, fitted on BioASQ and PubMedQA question types);
    an either/or choice ("Are A or B the better source?": "or" before the question mark, and a comparison) is
    not yes/no unless it says "yes or no". Without the comparison, "or" mostly joins what a yes/no question asks
    about ("Does screening or surveillance improve ...?"): on the BioASQ and PubMedQA train questions that reading
    recognises 1533 of 1543, against 1524 when every such "or" made a choice (docs/experiments.md). A question put
    after a condition or setting (`LEAD_CLAUSE`) is judged by its main clause: that reading turns no BioASQ or PubMedQA
    question into a yes/no one that was not already one."""
    text = question.strip()
    if YES_OR_NO.search(text):
        return True
    if _asks_yes_no(text):
        return True
    lead = LEAD_CLAUSE.match(text)
    if lead is None or ASKING_LEAD.search(lead["lead"]) or len(lead["lead"].split()) < 3:
        return False
    main = lead["main"]
    return _asks_yes_no(main[0].upper() + main[1:])


def _asks_yes_no(text: str) -> bool:
    return is_yes_no_question(text) and not (EITHER_OR.search(text) and CHOICE_WORDS.search(text))


def cue_counts(question: str) -> dict[Category, int]:
    return {category: len(pattern.findall(question)) for category, pattern in CUES.items()}


def combine_scores(
    similarities: dict[Category, float], cues: dict[Category, int], cue_weight: float = 0.08
) -> dict[Category, float]:
    """Prototype similarity plus a bonus per cue term (at most three count)."""
    return {c: similarities.get(c, 0.0) + cue_weight * min(cues.get(c, 0), 3) for c in PROTOTYPES}


def pick_category(scores: dict[Category, float], floor: float = 0.35) -> Category:
    best = max(scores, key=lambda c: scores[c])
    return best if scores[best] >= floor else "other"


class Router:
    """Classifies questions; the prototype vectors are embedded once per router (or read from `cache_dir`)."""

    def __init__(
        self, embedder: Embeddings, *, floor: float = 0.35, cue_weight: float = 0.08, cache_dir: Path | None = None
    ):
        self._embedder = embedder
        self.floor = floor
        self.cue_weight = cue_weight
        self._labels: list[Category] = [c for c, qs in PROTOTYPES.items() for _ in qs]
        vectors = prototype_vectors(embedder, [q for qs in PROTOTYPES.values() for q in qs], cache_dir)
        self._prototypes = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def similarities(self, question: str, vector: np.ndarray | None = None) -> dict[Category, float]:
        """Best cosine to each category's prototypes; `vector` is the question's embedding when known."""
        raw = self._embedder.embed_query(question) if vector is None else vector
        query = np.asarray(raw, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        sims = self._prototypes @ query
        best: dict[Category, float] = {}
        for label, sim in zip(self._labels, sims, strict=True):
            best[label] = max(best.get(label, -1.0), float(sim))
        return best

    def route(self, question: str, vector: np.ndarray | None = None) -> Route:
        scores = combine_scores(self.similarities(question, vector), cue_counts(question), self.cue_weight)
        category = pick_category(scores, self.floor)
        form: AnswerForm = "yes_no" if is_yes_no(question) else answer_form(question)  # type: ignore[assignment]
        return Route(category, form, {c: round(s, 4) for c, s in scores.items()})


def prefer(evidence: Sequence[Evidence], preference: RetrievalPreference, kinds: dict[str, str]) -> list[Evidence]:
    """Re-rank evidence by the category's preference; `kinds` maps PMID to its study type name.

    The fused score is multiplied by (1 + boost) for preferred records, so strong matches of another
    design still come first when the preferred ones are weak. Stable for ties.
    """
    if not preference.boost:
        return list(evidence)

    def adjusted(item: Evidence) -> float:
        preferred = kinds.get(item.pmid, "other") in preference.boost_types
        preferred = preferred or (preference.boost_trial_ids and bool(item.trial_ids))
        return item.score * (1.0 + preference.boost) if preferred else item.score

    return sorted(evidence, key=adjusted, reverse=True)
