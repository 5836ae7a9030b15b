"""Fixtures for the evaluation tests: a small synthetic index built with the real indexer, and its pipeline."""

from pathlib import Path

import pytest

from core.settings import Settings
from eval.questionset import Question
from ingest.records import PubMedRecord
from ingest.store import DocumentStore
from tests.conftest import CORPUS

TOPICS = {
    "91000001": (
        "hypoxic preconditioning of synthetic stromal cells raised VEGF secretion",
        (
            "In this synthetic study, hypoxic preconditioning raised VEGF in the conditioned medium of stromal cells. "
            "The synthetic VEGF-rich medium promoted endothelial tube formation."
        ),
    ),
    "91000002": (
        "synthetic exosomal miR-21 protecting cardiomyocytes",
        (
            "Synthetic exosomes carrying miR-21 reduced cardiomyocyte apoptosis in a made-up infarct model. "
            "The synthetic effect depended on PTEN suppression."
        ),
    ),
    "91000003": (
        "a synthetic phase 2 trial of secretome eye drops for dry eye",
        (
            "This synthetic randomized phase 2 trial gave secretome eye drops to dry eye patients. "
            "Synthetic tear break-up time improved over placebo."
        ),
    ),
    "91000004": (
        "synthetic potency assays for vesicle release testing",
        (
            "A synthetic potency assay measured macrophage polarisation to release vesicle batches. "
            "Synthetic release criteria covered particle number and sterility."
        ),
    ),
    "91000005": (
        "synthetic amniotic fluid stem cell secretome and wound closure",
        (
            "Synthetic amniotic fluid stem cells secreted factors that sped wound closure in made-up mice. "
            "The synthetic secretome contained TGF-beta and IL-10."
        ),
    ),
}


def synthetic_records() -> list[PubMedRecord]:
    return [
        PubMedRecord(pmid=pmid, title=f"Synthetic record about {title}", abstract=abstract, year=2021,
                     pub_types=["Journal Article"], sources=["synthetic"])
        for pmid, (title, abstract) in TOPICS.items()
    ]


REFUSAL_THRESHOLD = 0.3
CLI_ENV = {"SECRETOME_ANSWER_MIN_RELEVANCE": str(REFUSAL_THRESHOLD)}
QUESTIONS = [
    Question(id="syn-1", question="Does hypoxic preconditioning raise VEGF secretion of stromal cells?",
             category="sources", answerable=True, gold_pmids=["91000001"], key_facts=[["VEGF"], ["hypoxic"]],
             ideal_answer="Yes, hypoxic preconditioning raised VEGF in the conditioned medium.", exact_answer="yes"),
    Question(id="syn-2", question="Which exosomal microRNA protects cardiomyocytes from apoptosis?",
             category="mechanisms", answerable=True, gold_pmids=["91000002"], key_facts=[["miR-21"]],
             ideal_answer="Exosomal miR-21, through PTEN suppression."),
    Question(id="syn-3", question="What did the phase 2 trial of secretome eye drops show in dry eye?",
             category="trials", answerable=True, gold_pmids=["91000003"], key_facts=[["tear break-up time"]],
             ideal_answer="Tear break-up time improved over placebo."),
    Question(id="syn-4", question="Which volcano erupted on Io during the 1979 Voyager flyby?",
             category="regulatory", answerable=False),
]


@pytest.fixture(scope="session")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from rag.index.indexer import Indexer

    # A fixed refusal threshold, so these tests do not depend on the shipped calibration.
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("eval-index") / "data", corpus_path=CORPUS,
                        answer={"min_relevance": REFUSAL_THRESHOLD})
    settings.data_dir.mkdir(parents=True)
    with DocumentStore(settings.store_path) as store:
        store.upsert(synthetic_records())
    Indexer(settings).run(show_progress=False)
    return settings


@pytest.fixture(scope="session")
def pipeline(small_index: Settings):
    from rag.pipeline import build_pipeline

    opened = build_pipeline(small_index)
    return opened.searcher, opened.answerer


def write_question_set(path: Path) -> Path:
    """The synthetic questions as a JSON Lines question set."""
    path.write_text("".join(q.model_dump_json() + "\n" for q in QUESTIONS), encoding="utf-8")
    return path
