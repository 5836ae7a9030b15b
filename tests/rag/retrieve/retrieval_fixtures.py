"""Visibly synthetic records for the retrieval tests, and a helper that stores and indexes them.

Each record is on a distinct made-up topic, so a query about one topic has one right answer; years,
publication types, trial ids, sources and a retraction vary so every filter has something to keep and
something to drop.
"""

from pathlib import Path

from core.settings import Settings
from ingest.records import PubMedRecord
from ingest.store import DocumentStore
from rag.index.indexer import Indexer, IndexSummary
from tests.conftest import CORPUS

TOPICS = [
    ("92000001", "exosomes from mesenchymal stem cells", ("Synthetic exosomes released by mesenchymal stem cells "
     "carried miR-21 into injured heart tissue and reduced scarring in a made-up mouse model."), 2019,
     ["Journal Article"], [], ["synthetic"]),
    ("92000002", "IL-6 in synthetic sepsis", ("A synthetic cohort showed that serum IL-6 rose within hours of "
     "an invented infection and fell after treatment."), 2015, ["Journal Article"], [], ["synthetic"]),
    ("92000003", "TGF-β1 and made-up fibrosis", ("Synthetic fibroblasts exposed to TGF-β1 produced more collagen "
     "in an imaginary culture system."), 2021, ["Review"], [], ["synthetic"]),
    ("92000004", "a synthetic trial of conditioned medium", ("This invented randomised trial (NCT04366063) "
     "gave conditioned medium from adipose stem cells to made-up patients with knee osteoarthritis."), 2022,
     ["Randomized Controlled Trial"], ["NCT04366063"], ["synthetic-trials"]),
    ("92000005", "CD63 as a vesicle marker", ("Synthetic extracellular vesicles were identified by the tetraspanin "
     "CD63 on their surface in a fictional proteomics screen."), 2020, ["Journal Article"], [], ["synthetic"]),
    ("92000006", "amniotic fluid secretome in fictional wound healing", ("A made-up amniotic fluid secretome "
     "accelerated closure of invented skin wounds in rats."), 2023, ["Journal Article"], [], ["synthetic"]),
    ("92000007", "a retracted synthetic claim about vesicles", ("This synthetic report claimed that vesicles "
     "cure every disease; the made-up journal retracted it."), 2018, ["Journal Article", "Retracted Publication"],
     [], ["synthetic"]),
    ("92000008", "hypoxic preconditioning of stem cells", ("Synthetic hypoxia raised VEGF secretion by made-up "
     "stem cells and improved angiogenesis in an imaginary assay."), 2017, ["Journal Article"], [], ["synthetic"]),
]


def synthetic_record(pmid, topic, text, year, pub_types, trial_ids, sources) -> PubMedRecord:
    return PubMedRecord(
        pmid=pmid,
        title=f"Synthetic record about {topic}",
        abstract=text,
        year=year,
        pub_types=pub_types,
        trial_ids=trial_ids,
        sources=sources,
    )


def synthetic_records() -> list[PubMedRecord]:
    return [synthetic_record(*topic) for topic in TOPICS]


def extra_records() -> list[PubMedRecord]:
    """Two more records, for incremental indexing."""
    return [
        synthetic_record("92000101", "platelet lysate in invented tendon repair", ("Synthetic platelet lysate "
                         "sped up repair of made-up tendon injuries."), 2024, ["Journal Article"], [], ["synthetic"]),
        synthetic_record("92000102", "fictional neurotrophic factors", ("Synthetic BDNF from imaginary stem cells "
                         "protected made-up neurons."), 2024, ["Journal Article"], [], ["synthetic"]),
    ]


def synthetic_settings(data_dir: Path, **overrides) -> Settings:
    """Settings over `data_dir`, with the synthetic records in its store (no index yet)."""
    with DocumentStore(data_dir / "store.sqlite") as store:
        store.upsert(synthetic_records())
    return Settings(_env_file=None, data_dir=data_dir, corpus_path=CORPUS, **overrides)


def run_indexer(settings: Settings, *, vectors: bool = True) -> IndexSummary:
    """One index run over the data dir of `settings` (vectors=False: the lexical pass), its model closed after."""
    indexer = Indexer(settings)
    try:
        return indexer.run(show_progress=False, vectors=vectors)
    finally:
        indexer.embeddings.close()
