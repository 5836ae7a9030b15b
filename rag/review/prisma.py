"""A PRISMA 2020 flow diagram of one ingest run, from the search log and the store.

Counts (`prisma_counts`):
- identified: each logged search's `count_found`, exactly as `secretome-qa runs --json` reports it;
- not retrieved: found but not fetched (a capped or interrupted search);
- duplicates removed across queries: fetched minus the distinct records, where the distinct records are
  the store's records from the run's source (the search log keeps counts, not PMIDs, so this assumes the
  store holds this review's searches, as a review's own data dir does);
- records screened: those distinct records; excluded by filters: retracted, not English, published
  outside the searches' date window (each record counted once, in that order);
- included: the eligible records the index holds.
"""

from pathlib import Path

from pydantic import BaseModel, Field

from core.errors import InputError
from core.settings import Settings
from ingest.records import PubMedRecord
from ingest.store import DocumentStore

ENGLISH = {None, "", "eng", "en", "english"}


class IdentifiedSearch(BaseModel):
    search_id: int
    query: str
    query_name: str | None = None
    mindate: str | None = None
    maxdate: str | None = None
    count_found: int | None = None
    fetched: int = 0
    completed: bool = False


class PrismaCounts(BaseModel):
    run_id: int
    source: str
    searches: list[IdentifiedSearch]
    identified: int = Field(description="Sum of count_found over the run's searches.")
    fetched: int
    not_retrieved: int
    duplicates: int
    screened: int = Field(description="Distinct records in the store from the run's source.")
    excluded_retracted: int
    excluded_language: int
    excluded_window: int
    eligible: int
    included: int = Field(description="Eligible records the index holds.")
    indexed: bool = Field(description="Whether an index exists to count.")

    @property
    def excluded(self) -> int:
        return self.excluded_retracted + self.excluded_language + self.excluded_window


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def pick_run(runs: list[dict], run_id: int | None) -> dict:
    """The run asked for, or the newest run that logged searches."""
    if run_id is not None:
        for run in runs:
            if run["id"] == run_id:
                return run
        raise InputError(f"no ingest run {run_id}; `secretome-qa runs` lists them")
    for run in runs:
        if run["searches"]:
            return run
    raise InputError("no ingest run has logged searches; a PRISMA diagram needs a live (or --count-only) search run")


def _excluded_reason(record: PubMedRecord, first: int | None, last: int | None) -> str | None:
    if record.retracted:
        return "retracted"
    if (record.language or "").lower() not in ENGLISH:
        return "language"
    if record.year is not None and ((first and record.year < first) or (last and record.year > last)):
        return "window"
    return None


def prisma_counts(store: DocumentStore, indexed_pmids: set[str] | None, run_id: int | None = None) -> PrismaCounts:
    """The flow diagram's numbers for one run (default: the newest run with searches).

    Args:
        store: the document store the run wrote to.
        indexed_pmids: PMIDs the index holds, or None when no index has been built.
    """
    run = pick_run(store.runs(), run_id)
    searches = [
        IdentifiedSearch(
            search_id=s["id"], query=s["query"], query_name=s["query_name"], mindate=s["mindate"],
            maxdate=s["maxdate"], count_found=s["count_found"], fetched=s["fetched"], completed=bool(s["completed"]),
        )
        for s in run["searches"]
    ]
    identified = sum(s.count_found or 0 for s in searches)
    fetched = sum(s.fetched for s in searches)
    firsts = [y for s in searches if (y := _year(s.mindate))]
    lasts = [y for s in searches if (y := _year(s.maxdate))]
    first, last = (min(firsts) if firsts else None), (max(lasts) if lasts else None)
    source = run["source"]
    reasons = {"retracted": 0, "language": 0, "window": 0}
    screened = eligible = included = 0
    for record in store.iter_records():
        if source not in record.sources:
            continue
        screened += 1
        reason = _excluded_reason(record, first, last)
        if reason:
            reasons[reason] += 1
            continue
        eligible += 1
        included += bool(indexed_pmids and record.pmid in indexed_pmids)
    return PrismaCounts(
        run_id=run["id"],
        source=source,
        searches=searches,
        identified=identified,
        fetched=fetched,
        not_retrieved=max(0, identified - fetched),
        duplicates=max(0, fetched - screened),
        screened=screened,
        excluded_retracted=reasons["retracted"],
        excluded_language=reasons["language"],
        excluded_window=reasons["window"],
        eligible=eligible,
        included=included,
        indexed=indexed_pmids is not None,
    )


def indexed_pmids(settings: Settings) -> set[str] | None:
    """PMIDs the index holds (its records table), or None when no index was built."""
    path = settings.index_dir / "records.sqlite"
    if not path.is_file():
        return None
    from rag.index.state import IndexedRecords

    state = IndexedRecords(path)
    try:
        return set(state.hashes())
    finally:
        state.close()


def _box(ax, x: float, y: float, w: float, h: float, text: str, fill: str = "white") -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="square,pad=0", fc=fill, ec="black", lw=1))
    ax.text(x + 0.015, y + h - 0.015, text, ha="left", va="top", fontsize=7.5, wrap=True)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "lw": 1, "color": "black"})


def _short(text: str, width: int = 58) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def plot_prisma(counts: PrismaCounts, path: Path) -> None:
    """The standard PRISMA 2020 boxes (identification, screening, included) as png or svg."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_query = "\n".join(
        f"  {_short(s.query_name or s.query)}: n = {s.count_found if s.count_found is not None else '?'}"
        + ("" if s.completed else " (incomplete)")
        for s in counts.searches
    )
    lines = len(counts.searches)
    fig_h = 7.5 + 0.16 * lines
    fig, ax = plt.subplots(figsize=(10, fig_h), dpi=120)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    top_h = min(0.42, 0.14 + 0.022 * lines)
    y_id = 0.97 - top_h
    _box(ax, 0.07, y_id, 0.5, top_h, f"Records identified from PubMed (n = {counts.identified})\n{per_query}")
    _box(ax, 0.65, y_id + top_h - 0.16, 0.33, 0.16,
         f"Records removed before screening:\n  Duplicates across queries (n = {counts.duplicates})\n"
         f"  Found but not retrieved (n = {counts.not_retrieved})")
    y_sc = y_id - 0.2
    _box(ax, 0.07, y_sc, 0.5, 0.12, f"Records screened (in the store, n = {counts.screened})")
    _box(ax, 0.65, y_sc - 0.04, 0.33, 0.16,
         f"Records excluded by filters (n = {counts.excluded})\n  Retracted (n = {counts.excluded_retracted})\n"
         f"  Not in English (n = {counts.excluded_language})\n  Outside the date window (n = {counts.excluded_window})")
    y_in = y_sc - 0.24
    included = f"Records included in the index (n = {counts.included})"
    if not counts.indexed:
        included += f"\n  no index built yet; eligible n = {counts.eligible}"
    _box(ax, 0.07, y_in, 0.5, 0.12, included, fill="#eef6ee")
    _arrow(ax, (0.32, y_id), (0.32, y_sc + 0.12))
    _arrow(ax, (0.32, y_sc), (0.32, y_in + 0.12))
    _arrow(ax, (0.57, y_id + top_h - 0.08), (0.65, y_id + top_h - 0.08))
    _arrow(ax, (0.57, y_sc + 0.06), (0.65, y_sc + 0.06))
    for label, y0, y1 in (("Identification", y_id, y_id + top_h), ("Screening", y_sc - 0.04, y_sc + 0.12),
                          ("Included", y_in, y_in + 0.12)):
        ax.add_patch(plt.Rectangle((0.0, y0), 0.045, y1 - y0, fc="#cfe2f3", ec="black", lw=1))
        ax.text(0.0225, (y0 + y1) / 2, label, rotation=90, ha="center", va="center", fontsize=8, weight="bold")
    ax.set_title(f"PRISMA 2020 flow diagram: ingest run {counts.run_id} ({counts.source})", fontsize=10)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
