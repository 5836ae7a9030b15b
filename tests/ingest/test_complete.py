"""Completing partial abstracts from live PubMed, replaying real recorded efetch answers at the HTTP boundary.

The stored records are synthetic stand-ins (a cut-off synthetic abstract under a PMID the recording holds); what
replaces them is the recorded PubMed XML, read from ../shared/fixtures at test time.
"""

from urllib.error import URLError

import pytest
import typer

from cli.ingest_commands import complete_partial_abstracts
from core.errors import NCBIError
from core.settings import Settings
from ingest.complete import AbstractCompletion, completed_record
from ingest.records import PubMedRecord
from ingest.store import DocumentStore
from tests.cli.conftest import run_cli
from tests.ingest.test_entrez_live import (  # noqa: F401 (fixture)
    entrez_settings,
    http_error,
    no_wait,
    recorded,
    replay,
)

WITH_ABSTRACT = "9997"  # pubmed1.xml: a 676-character abstract
WITHOUT_ABSTRACT = "12091962"  # pubmed1.xml: no abstract
NOT_IN_PUBMED = "90000999"  # synthetic: the recording does not hold it
WHOLE = "90000998"  # synthetic, complete: never asked for


def partial(pmid: str) -> PubMedRecord:
    return PubMedRecord(
        pmid=pmid,
        title=f"Synthetic partial record {pmid}",
        abstract="Synthetic opening of an abstract that the source cut",
        abstract_complete=False,
        sources=["pubmed-rss"],
    )


@pytest.fixture
def store(settings: Settings):
    with DocumentStore(settings.store_path) as opened:
        opened.upsert([partial(WITH_ABSTRACT), partial(WITHOUT_ABSTRACT), partial(NOT_IN_PUBMED)])
        opened.upsert([PubMedRecord(pmid=WHOLE, title="Synthetic whole record", abstract="Synthetic text.")])
        yield opened


def test_a_longer_fetched_abstract_replaces_the_stored_one_and_keeps_its_sources() -> None:
    fetched = PubMedRecord(pmid="1", title="T", abstract=partial("1").abstract + " and its synthetic rest.",
                            sources=["pubmed"])
    stored = partial("1")
    assert completed_record(stored, fetched).sources == ["pubmed-rss"]
    assert completed_record(stored, fetched.model_copy(update={"abstract": ""})) is None


def test_partial_records_are_asked_for_once_and_completed_where_pubmed_has_more(replay, store, settings) -> None:  # noqa: F811
    fake = replay(lambda utility, params: recorded("pubmed1.xml"))
    counts = AbstractCompletion(store, no_wait(entrez_settings()), 200).run()

    assert fake.of("efetch") == [fake.of("efetch")[0]]
    assert fake.of("efetch")[0]["id"].split(",") == sorted([WITH_ABSTRACT, WITHOUT_ABSTRACT, NOT_IN_PUBMED])
    assert (counts.asked, counts.completed, counts.no_longer_abstract, counts.not_returned) == (3, 1, 1, 1)
    completed = store.get(WITH_ABSTRACT)
    assert completed.abstract_complete and len(completed.abstract) == 676 and completed.sources == ["pubmed-rss"]
    assert store.get(WITHOUT_ABSTRACT) == partial(WITHOUT_ABSTRACT)
    assert store.get(NOT_IN_PUBMED) == partial(NOT_IN_PUBMED)
    assert store.partial_abstract_pmids() == sorted([WITHOUT_ABSTRACT, NOT_IN_PUBMED])


def test_a_failing_batch_keeps_what_earlier_batches_completed(replay, store) -> None:  # noqa: F811
    answers = [recorded("pubmed1.xml"), http_error(400, "Bad Request")]
    replay(lambda utility, params: answers.pop(0))
    job = AbstractCompletion(store, no_wait(entrez_settings()), 1)
    with pytest.raises(NCBIError, match="HTTP 400"):
        job.run()
    assert job.counts.completed == 0 and job.counts.no_longer_abstract == 1  # 12091962 came first
    assert [(r["source"], r["outcome"]) for r in store.runs()] == [("pubmed-complete", "failed")]
    answers = [recorded("pubmed1.xml"), recorded("pubmed1.xml"), recorded("pubmed1.xml")]
    AbstractCompletion(store, no_wait(entrez_settings()), 1).run()
    assert store.get(WITH_ABSTRACT).abstract_complete


def test_offline_the_command_says_so_and_changes_nothing(replay, store, settings) -> None:  # noqa: F811
    replay(lambda utility, params: URLError("no route to NCBI (synthetic)"))
    before = store.partial_abstract_pmids()
    with pytest.raises(typer.Exit) as stopped:
        complete_partial_abstracts(store, settings)
    assert stopped.value.exit_code == 1
    assert store.partial_abstract_pmids() == before and store.runs() == []


def test_complete_abstracts_is_its_own_kind_of_ingest(tmp_path) -> None:
    result = run_cli("ingest", "--complete-abstracts", "--query", "exosomes", data_dir=tmp_path / "data")
    assert result.returncode == 2 and "exactly one of" in result.stderr
