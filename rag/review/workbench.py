"""What the CLI and the API share: the map, table and references of the store or of a search."""

from collections.abc import Callable

from core.errors import InputError
from core.settings import Settings
from ingest.store import DocumentStore
from rag.review.citation_export import export_references, records_in_order
from rag.review.evidence_map import EvidenceMap, build_map
from rag.review.evidence_table import EvidenceTable, build_table
from rag.review.profile import EvidenceProfile, load_dictionaries
from rag.review.profile_store import refreshed_profiles
from rag.types import Evidence, SearchFilters

SearchFn = Callable[[str, int, SearchFilters | None], list[Evidence]]
MAX_MAP_K = 2000


def _in_years(profile: EvidenceProfile, filters: SearchFilters | None) -> bool:
    if filters is None:
        return True
    year = profile.year
    if filters.year_from and (year is None or year < filters.year_from):
        return False
    if filters.year_to and (year is None or year > filters.year_to):
        return False
    return not (filters.exclude_retracted and profile.retracted)


def evidence_map(
    settings: Settings,
    *,
    rows: str = "source",
    cols: str = "indication",
    query: str | None = None,
    k: int = 500,
    filters: SearchFilters | None = None,
    hide_unlabelled: bool = False,
    search: SearchFn | None = None,
) -> EvidenceMap:
    """The map over the whole store, or over the `k` best records for `query` (needs `search`)."""
    if query:
        if search is None:
            raise InputError("a map over a query needs the index")
        hits = search(query, min(k, MAX_MAP_K), filters)
        found = refreshed_profiles(settings, [h.pmid for h in hits])
        profiles = [found[h.pmid] for h in hits if h.pmid in found]
    else:
        profiles = [p for p in refreshed_profiles(settings).values() if _in_years(p, filters)]
    return build_map(
        profiles, rows, cols, hide_unlabelled=hide_unlabelled, query=query,
        dictionary_version=load_dictionaries().version,
    )


def evidence_table(
    settings: Settings, query: str, k: int, filters: SearchFilters | None, search: SearchFn
) -> EvidenceTable:
    """One row per retrieved record, in retrieval order."""
    hits = search(query, k, filters)
    return build_table(query, k, hits, refreshed_profiles(settings, [h.pmid for h in hits]))


def references(settings: Settings, pmids: list[str], fmt: str) -> tuple[str, list[str]]:
    """The stored records of `pmids` in `fmt`, and the PMIDs the store does not hold."""
    with DocumentStore(settings.store_path) as store:
        found = store.get_many(pmids)
    missing = [p for p in dict.fromkeys(pmids) if p not in found]
    return export_references(records_in_order(found, pmids), fmt), missing
