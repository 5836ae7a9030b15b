"""Complete partial abstracts from live PubMed: refetch every stored record whose source gave only part of it.

The offline snapshot's RSS items keep about 500 characters of each abstract and its BioASQ records only the
passages experts marked, so answers can quote a record's background while its findings are cut off. Online,
one efetch per batch of PMIDs brings the whole record; the stored one is replaced only by a longer abstract
(a record NCBI does not return, or returns without an abstract, stays as it was) and keeps its `sources`, so
the search log and PRISMA counts still say where it was found. Each batch is stored in its own transaction:
an interrupted run keeps what it completed and a re-run asks only for what is still partial.
"""

import logging
import sys
from dataclasses import dataclass, field

from tqdm import tqdm

from core.errors import NCBIError, ParseError
from ingest.entrez import EntrezClient
from ingest.pubmed_xml import parse_pubmed_xml
from ingest.records import PubMedRecord
from ingest.store import DocumentStore, UpsertCounts

log = logging.getLogger(__name__)


@dataclass
class CompletionCounts:
    """What a completion run asked for and what became of it."""

    asked: int = 0
    completed: int = 0
    not_returned: int = 0
    no_longer_abstract: int = 0

    def as_upsert(self) -> UpsertCounts:
        """The run log's counts: completed records are updates, the rest were left unchanged."""
        return UpsertCounts(updated=self.completed, unchanged=self.asked - self.completed)


def completed_record(stored: PubMedRecord, fetched: PubMedRecord) -> PubMedRecord | None:
    """The fetched record in place of the stored one, keeping where it was found; None when it adds nothing."""
    if len(fetched.abstract or "") <= len(stored.abstract or ""):
        return None
    return fetched.model_copy(update={"sources": stored.sources, "abstract_complete": True})


RUN_SOURCE = "pubmed-complete"


@dataclass
class AbstractCompletion:
    """One completion run over the store's partial records, logged as an ingest run of its own; `counts` holds
    what it did so far."""

    store: DocumentStore
    client: EntrezClient
    batch_size: int
    counts: CompletionCounts = field(default_factory=CompletionCounts)

    def run(self) -> CompletionCounts:
        """Refetch the partial records in batches and store the longer abstracts; the run log says how it ended.

        Raises:
            NCBIError: an NCBI error payload, an unreadable answer, or NCBI still failing after the retries
                (what earlier batches stored stays, and the run is logged as failed with their counts).
        """
        run_id = self.store.start_run(source=RUN_SOURCE)
        try:
            self._run(run_id)
        except BaseException as exc:
            self.store.finish_run(run_id, self.counts.as_upsert(), "failed", str(exc) or type(exc).__name__)
            raise
        self.store.finish_run(run_id, self.counts.as_upsert(), "ok")
        return self.counts

    def _run(self, run_id: int) -> None:
        pmids = self.store.partial_abstract_pmids()
        self.counts.asked = len(pmids)
        with tqdm(total=len(pmids), desc="completing abstracts", unit="rec", file=sys.stderr, disable=None) as bar:
            for start in range(0, len(pmids), self.batch_size):
                self._complete(pmids[start : start + self.batch_size], run_id)
                bar.update(min(self.batch_size, len(pmids) - start))
        if self.counts.not_returned:
            log.warning("PubMed returned no record for %d of the %d PMIDs asked", self.counts.not_returned, len(pmids))

    def _complete(self, batch: list[str], run_id: int) -> None:
        context = f"{len(batch)} partial records from PMID {batch[0]}"
        try:
            items = parse_pubmed_xml(self.client.fetch_pmids(batch, context=context), f"efetch of {context}")
        except ParseError as exc:
            raise NCBIError(str(exc)) from exc
        fetched = {item.pmid: item for item in items if isinstance(item, PubMedRecord)}
        replacements = []
        for pmid, stored in self.store.get_many(batch).items():
            if pmid not in fetched:
                self.counts.not_returned += 1
            elif (record := completed_record(stored, fetched[pmid])) is None:
                self.counts.no_longer_abstract += 1
            else:
                replacements.append(record)
        self.counts.completed += self.store.upsert(replacements, run_id).updated
