"""Every record's evidence profile: product, cell source, indication, evidence level, preconditioning.

No LLM: the dictionaries in `profile_terms.json` (one versioned data file, each term a pattern mapped to a
label) are matched against the title, abstract and keywords; MeSH headings decide the indication when
they name one. The evidence level groups the study type `rag.answer.study_type` classifies. Pure: a
`PubMedRecord` in, an `EvidenceProfile` out.
"""

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from ingest.records import PubMedRecord
from rag.answer.study_type import StudyType, classify_study

TERMS_PATH = Path(__file__).with_name("profile_terms.json")
TITLE_WEIGHT = 3
SALIENT_MIN_BODY = 2  # a `salient` term counts where the title names it or the abstract names it this often
FACETS = ("product", "source", "indication", "evidence", "preconditioning")
TEXT_CUES = ("review_title", "review_body", "case_report", "in_vitro", "intervention", "interventional", "animal",
             "cell_therapy_in_patients", "own_experiments", "human_subjects", "observational")


class EvidenceProfile(BaseModel):
    """What a record is about and how strong its evidence is, one label per facet."""

    pmid: str
    product: str
    source: str
    indication: str
    evidence: str = Field(description="in vitro, animal, human trial, review, guideline or other.")
    study_type: str
    phase: str | None = None
    trial_ids: list[str] = Field(default_factory=list)
    preconditioning: list[str] = Field(default_factory=list, description="Empty when none is reported.")
    retracted: bool = False
    year: int | None = None

    def facet(self, name: str) -> list[str]:
        """The labels of one facet (several for preconditioning; 'none' when it has none)."""
        if name == "preconditioning":
            return self.preconditioning or ["none"]
        if name == "year":
            return [str(self.year) if self.year else "unknown"]
        return [getattr(self, name)]


@dataclass(frozen=True)
class Facet:
    """One facet's compiled dictionary: all its terms in one alternation, a named group per term."""

    name: str
    labels: tuple[str, ...]
    none: str
    pattern: re.Pattern[str] | None
    group_labels: dict[str, str]
    mesh: dict[str, str]
    fallback: re.Pattern[str] | None = None
    ignore: re.Pattern[str] | None = None
    salient: re.Pattern[str] | None = None

    @property
    def term_patterns(self) -> tuple[re.Pattern[str], ...]:
        """Every pattern that can name a label (main, salient, fallback), for reading a text's terms."""
        return tuple(p for p in (self.pattern, self.salient, self.fallback) if p is not None)

    def scores(self, title: str, body: str) -> Counter[str]:
        """Weighted term counts per label outside the `ignore` phrases (a stem cell transplant as the
        setting, not the subject); `salient` terms only where the title names one or the body names them
        `SALIENT_MIN_BODY` times (named once, a transplant is background); the fallback terms only when
        nothing else matched."""
        if self.ignore is not None:
            title, body = self.ignore.sub(" ", title), self.ignore.sub(" ", body)
        found = _count(self.pattern, self.group_labels, title, body)
        if self.salient is not None:
            in_title = _count(self.salient, self.group_labels, title, "")
            in_body = _count(self.salient, self.group_labels, "", body)
            if in_title or in_body.total() >= SALIENT_MIN_BODY:
                found += in_title + in_body
        return found or _count(self.fallback, self.group_labels, title, body)

    def best(self, found: Counter[str]) -> str:
        if not found:
            return self.none
        return max(found, key=lambda label: (found[label], -self.labels.index(label)))


@dataclass(frozen=True)
class Dictionaries:
    """The whole data file, compiled."""

    version: str
    facets: dict[str, Facet]
    evidence_map: dict[str, str]
    evidence_labels: tuple[str, ...]
    guideline_pub_types: frozenset[str]
    guideline_title: re.Pattern[str]
    guideline_adherence: re.Pattern[str]
    review_title: re.Pattern[str]
    review_body: re.Pattern[str]
    in_vitro: re.Pattern[str]
    intervention: re.Pattern[str]
    animal: re.Pattern[str]
    interventional: re.Pattern[str]
    case_report: re.Pattern[str]
    cell_therapy_in_patients: re.Pattern[str]
    own_experiments: re.Pattern[str]
    human_subjects: re.Pattern[str]
    observational: re.Pattern[str]


def _count(pattern: re.Pattern[str] | None, group_labels: dict[str, str], title: str, body: str) -> Counter[str]:
    found: Counter[str] = Counter()
    if pattern is None:
        return found
    for text, weight in ((title, TITLE_WEIGHT), (body, 1)):
        for match in pattern.finditer(text):
            found[group_labels[match.lastgroup]] += weight
    return found


def _alternation(terms: list[tuple[str, str]], prefix: str, group_labels: dict[str, str]) -> re.Pattern[str] | None:
    """One pattern for many terms (one pass over the text instead of one per term)."""
    if not terms:
        return None
    parts = []
    for i, (term, label) in enumerate(terms):
        group_labels[f"{prefix}{i}"] = label
        parts.append(f"(?P<{prefix}{i}>{term})")
    return _compile("|".join(parts))


def _compile(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{term})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=4)
def load_dictionaries(path: Path = TERMS_PATH) -> Dictionaries:
    """Read and compile the dictionary file; a term mapped to an unknown label is an error."""
    raw = Path(path).read_bytes()
    data = json.loads(raw)
    facets: dict[str, Facet] = {}
    for name, spec in data["facets"].items():
        labels = tuple(spec["labels"])
        for term, label in [*spec["terms"], *spec.get("salient", []), *spec.get("fallback", [])]:
            if label not in labels:
                raise ValueError(f"{path}: term {term!r} of facet {name!r} maps to unknown label {label!r}")
        mesh = {k.lower(): v for k, v in spec.get("mesh", {}).items()}
        if unknown := set(mesh.values()) - set(labels):
            raise ValueError(f"{path}: MeSH headings of facet {name!r} map to unknown labels {sorted(unknown)}")
        group_labels: dict[str, str] = {}
        pattern = _alternation(spec["terms"], "t", group_labels)
        fallback = _alternation(spec.get("fallback", []), "f", group_labels)
        salient = _alternation(spec.get("salient", []), "s", group_labels)
        ignore = spec.get("ignore")
        facets[name] = Facet(
            name, labels, spec["none"], pattern, group_labels, mesh, fallback,
            _compile("|".join(ignore)) if ignore else None, salient,
        )
    evidence = data["evidence_level"]
    return Dictionaries(
        # the file's digest too: an edit without a version bump still invalidates stored profiles
        version=f"{data['version']}+{hashlib.sha256(raw).hexdigest()[:12]}",
        facets=facets,
        evidence_map=evidence["map"],
        evidence_labels=tuple(evidence["labels"]),
        guideline_pub_types=frozenset(p.lower() for p in evidence["guideline_pub_types"]),
        guideline_title=_compile(evidence["guideline_title"]),
        guideline_adherence=_compile(evidence["guideline_adherence"]),
        **{cue: _compile(evidence["text_cues"][cue]) for cue in TEXT_CUES},
    )


def facet_labels(name: str, dictionaries: Dictionaries | None = None) -> list[str]:
    """Every label a facet can take, in display order (the 'none' label last)."""
    d = dictionaries or load_dictionaries()
    if name == "evidence":
        return list(d.evidence_labels)
    facet = d.facets[name]
    return [*facet.labels, facet.none]


def _mesh_label(facet: Facet, descriptors: list[str]) -> str | None:
    """The label MeSH headings give (the most frequent; ties to the dictionary order), or None."""
    found = Counter(facet.mesh[d.lower()] for d in descriptors if d.lower() in facet.mesh)
    return facet.best(found) if found else None


def _evidence_level(record: PubMedRecord, study: StudyType, title: str, d: Dictionaries) -> str:
    """The study type's level, read further from the words where publication types and MeSH name no design.

    A record whose publication types or MeSH say nothing about design ("Journal Article", "Humans") is
    classified again from its text alone; then the data file's text cues add cell or cell-free products
    given to patients and people allocated or assigned to arms (a human trial), case reports ("other"),
    reviews, cell experiments and animal work (knockouts, animals aged in weeks or months) the classifier
    leaves as "other" or "in vitro", and a "trial" read from words alone with no registry id, no phase, no
    intervention and no `interventional` design (single-arm, open-label, arms) is an observational study ("other").
    """
    level = d.evidence_map.get(study.name, "other")
    if level != "other" and (record.mesh or record.pub_types):
        return level
    text = f"{title} {record.abstract}"
    if record.mesh or record.pub_types:
        study = classify_study((), (), record.trial_ids, text)
        level = d.evidence_map.get(study.name, "other")
    if level == "other" and d.cell_therapy_in_patients.search(text) and not d.observational.search(text):
        return "human trial"
    if level in ("other", "in vitro") and d.animal.search(text):
        return "animal"
    if level == "other":
        if d.interventional.search(text):
            return "human trial"
        if d.case_report.search(text):
            return "other"
        if d.review_title.search(title) or d.review_body.search(record.abstract):
            return "review"
        if d.in_vitro.search(text) or (d.own_experiments.search(text) and not d.human_subjects.search(text)):
            return "in vitro"
    if level == "human trial" and not (study.trial_ids or study.phase or d.intervention.search(text)
                                       or d.interventional.search(text)):
        return "other"
    return level


def profile_record(record: PubMedRecord, dictionaries: Dictionaries | None = None) -> EvidenceProfile:
    """The evidence profile of one record."""
    d = dictionaries or load_dictionaries()
    title = record.title or ""
    body = " ".join([record.abstract or "", " ".join(record.keywords)])
    descriptors = [m.descriptor for m in record.mesh]
    labels: dict[str, str] = {}
    for name in ("product", "source", "indication"):
        facet = d.facets[name]
        labels[name] = _mesh_label(facet, descriptors) or facet.best(facet.scores(title, body))
    if labels["product"] == d.facets["product"].none:
        labels["source"] = d.facets["source"].none  # the source is the product's: no product, no source
    precond = d.facets["preconditioning"]
    found = precond.scores(title, body)
    study = classify_study(record.pub_types, descriptors, record.trial_ids, f"{title} {record.abstract}")
    evidence = _evidence_level(record, study, title, d)
    is_guideline_type = {p.lower() for p in record.pub_types} & d.guideline_pub_types
    if is_guideline_type or (d.guideline_title.search(title) and not d.guideline_adherence.search(title)):
        evidence = "guideline"
    return EvidenceProfile(
        pmid=record.pmid,
        product=labels["product"],
        source=labels["source"],
        indication=labels["indication"],
        evidence=evidence,
        study_type=study.name,
        phase=study.phase,
        trial_ids=study.trial_ids,
        preconditioning=[label for label in precond.labels if found[label]],
        retracted=record.retracted,
        year=record.year,
    )
