"""The evidence level of cited records, read from the document store, for answers' citations.

An answer's citations show each record's level as the evidence map, the evidence table and briefings count
it: the profile's level (rag.review.profile), which agrees with the hand-labelled sample (388 records) 321
times where the study type the answerer ranks by agrees 263 times. Display only: a store that cannot be
read costs the label, never the answer.
"""

import logging
from collections.abc import Sequence
from pathlib import Path

from core.errors import StoreError
from ingest.store import DocumentStore
from rag.review.profile import Dictionaries, load_dictionaries, profile_record

log = logging.getLogger(__name__)


class RecordEvidenceLevels:
    """PMIDs -> evidence levels, each computed from the stored record (a few records per answer: no table)."""

    def __init__(self, store_path: Path, dictionaries: Dictionaries | None = None):
        self.store_path = Path(store_path)
        self.dictionaries = dictionaries or load_dictionaries()

    def __call__(self, pmids: Sequence[str]) -> dict[str, str]:
        if not pmids or not self.store_path.is_file():
            return {}
        try:
            with DocumentStore(self.store_path) as store:
                records = store.get_many(pmids)
        except StoreError as exc:
            log.warning("citations go without evidence levels: %s", exc)
            return {}
        return {pmid: profile_record(record, self.dictionaries).evidence for pmid, record in records.items()}
