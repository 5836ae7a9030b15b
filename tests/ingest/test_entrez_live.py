"""The live PubMed client and ingestion, replaying real recorded NCBI responses at the HTTP boundary.

`Bio.Entrez.urlopen` is replaced by `ReplayNCBI`, which answers each request with a file from
../shared/fixtures/ncbi/entrez (or raises the HTTP/network error a test asks for), so Bio.Entrez builds,
rate-limits and parses everything as it would against NCBI.
"""

import email.message
import io
import itertools
import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qsl, urlsplit
from urllib.request import Request
from urllib.response import addinfourl

import pytest
from Bio import Entrez

from core.errors import NCBIError, NCBITransientError
from core.settings import EntrezSettings, Settings
from ingest.entrez import EntrezClient, SearchResult
from ingest.live import SearchSpec, count_searches, ingest_searches, ncbi_reachable
from ingest.searches import DateWindow, parse_date
from ingest.store import DocumentStore, UpsertCounts
from tests.conftest import FIXTURES

ENTREZ_DIR = FIXTURES / "entrez"
WEBENV = "MCID_6927d6e7fee3e90f880ec190"  # the history session recorded in esearch2.xml
Answer = bytes | Exception


def recorded(name: str) -> bytes:
    return (ENTREZ_DIR / name).read_bytes()


def http_error(code: int, reason: str) -> HTTPError:
    return HTTPError("https://eutils.ncbi.nlm.nih.gov/", code, reason, email.message.Message(), None)


class ReplayNCBI:
    """Stands in for `Bio.Entrez.urlopen`; `route(utility, params)` picks each answer."""

    def __init__(self, route: Callable[[str, dict[str, str]], Answer]):
        self.route = route
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.times: list[float] = []

    def __call__(self, request: Request, *args: object, **kwargs: object) -> addinfourl:
        url = urlsplit(request.full_url)
        utility = url.path.rsplit("/", 1)[-1].removesuffix(".fcgi")
        params = dict(parse_qsl(request.data.decode() if request.data else url.query))
        self.calls.append((utility, params))
        self.times.append(time.monotonic())
        answer = self.route(utility, params)
        if isinstance(answer, Exception):
            raise answer
        headers = email.message.Message()
        headers["Content-Type"] = "text/xml; charset=UTF-8"
        return addinfourl(io.BytesIO(answer), headers, request.full_url, 200)

    def of(self, utility: str) -> list[dict[str, str]]:
        return [params for name, params in self.calls if name == utility]


def sequence(*answers: Answer) -> Callable[[str, dict[str, str]], Answer]:
    """Answer the requests in turn, whatever they ask."""
    queue = list(answers)
    return lambda utility, params: queue.pop(0)


@pytest.fixture
def replay(monkeypatch) -> Callable[[Callable[[str, dict[str, str]], Answer]], ReplayNCBI]:
    def install(route: Callable[[str, dict[str, str]], Answer]) -> ReplayNCBI:
        fake = ReplayNCBI(route)
        monkeypatch.setattr(Entrez, "urlopen", fake)
        return fake

    return install


def entrez_settings(**overrides: object) -> EntrezSettings:
    """An API key keeps Bio.Entrez's spacing at 0.1 s, so replays stay fast."""
    values = {"email": "synthetic-tests@example.org", "api_key": "synthetic-test-key", "backoff_seconds": 1.0}
    return EntrezSettings(**(values | overrides))


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"entrez": entrez_settings(batch_size=10_000, max_records_per_search=50_000)})


@pytest.fixture
def store(live_settings: Settings):
    with DocumentStore(live_settings.store_path) as opened:
        yield opened


def no_wait(settings: EntrezSettings) -> EntrezClient:
    """A client whose retries do not wait (the backoff schedule is asserted with a recording sleep)."""
    return EntrezClient(settings, sleep=lambda seconds: None)


def run_live(
    store: DocumentStore,
    settings: Settings,
    specs: list[SearchSpec],
    *,
    update: bool = False,
    run_id: int | None = None,
) -> UpsertCounts:
    """One live ingest run (a new run unless `run_id` is given) through a client whose retries do not wait."""
    run_id = store.start_run("pubmed") if run_id is None else run_id
    return ingest_searches(store, settings, specs, update=update, run_id=run_id, client=no_wait(settings.entrez))


# --- esearch, epost, esummary, einfo answers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("esearch1.xml", SearchResult(63)),
        ("esearch2.xml", SearchResult(42249, WEBENV, "1")),
        ("esearch3.xml", SearchResult(2651)),
        ("esearch5.xml", SearchResult(5)),
        ("esearch6.xml", SearchResult(1018)),
        ("esearch7.xml", SearchResult(330)),
        ("esearch8.xml", SearchResult(0, notices=["PhraseNotFound: abcXYZ", "OutputMessage: No items found."])),
    ],
)
def test_esearch_answers(replay, name, expected):
    fake = replay(sequence(recorded(name)))
    client = EntrezClient(entrez_settings())
    window = DateWindow(date(2019, 2, 1), date(2024, 1, 31))
    assert client.search('"stem cell" AND "secretome"', window) == expected
    (params,) = fake.of("esearch")
    assert params == {
        "db": "pubmed",
        "term": '"stem cell" AND "secretome"',
        "retmax": "0",
        "usehistory": "y",
        "datetype": "pdat",
        "mindate": "2019/02/01",
        "maxdate": "2024/01/31",
        "tool": "secretome-qa",
        "email": "synthetic-tests@example.org",
        "api_key": "synthetic-test-key",
    }


def test_epost_esummary_and_einfo_answers(replay):
    replay(sequence(*(recorded(n) for n in ("epost1.xml", "esummary1.xml", "esummary6.xml", "einfo1.xml"))))
    client = EntrezClient(entrez_settings())
    posted = client.read("epost", context="ids", db="pubmed", id="11850928,11482001")
    assert (posted["QueryKey"], posted["WebEnv"]) == ("1", "MCID_692851c130aec64bed0a8c2a")
    summaries = client.read("esummary", context="ids", db="pubmed", id="11850928,11482001")
    assert [s["Id"] for s in summaries] == ["11850928", "11482001"]
    assert summaries[0]["Title"] == "Zirconium granuloma following treatment of rhus dermatitis."
    assert summaries[0]["AuthorList"] == ["LoPresti PJ", "Hambrick GW Jr"]
    taxa = client.read("esummary", context="taxa", db="taxonomy", id="9913,30521")
    assert [t["ScientificName"] for t in taxa] == ["Bos taurus", "Bos grunniens"]
    databases = client.read("einfo", context="databases")
    assert "pubmed" in databases["DbList"] and "pmc" in databases["DbList"]


@pytest.mark.parametrize(
    ("name", "ids", "field", "first_value"),
    [
        ("esummary3.xml", ["28800982", "28628843"], "Title", "hemochromatosis, partial [Homo sapiens]"),
        ("esummary4.xml", ["28864546", "28800981"], "Caption", "AY207443"),
        ("esummary5.xml", ["19923", "12120"], "PdbAcc", "1L5J"),
        ("esummary9.xml", ["7488"], "IUPACName", "benzene-1,4-dicarbonyl chloride"),
    ],
)
def test_esummary_answers_of_other_databases(replay, name, ids, field, first_value):
    replay(sequence(recorded(name)))
    summaries = EntrezClient(entrez_settings()).read("esummary", context="ids", db="protein", id=",".join(ids))
    assert [s["Id"] for s in summaries] == ids
    assert summaries[0][field] == first_value


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("epost2.xml", "Invalid db name specified: nothing"),
        ("epost3.xml", "Empty ID list; Nothing to store"),
        ("esummary8.xml", "Neither query_key nor id specified"),
    ],
)
def test_error_payloads_raise_ncbi_error_without_retrying(replay, name, message):
    fake = replay(sequence(recorded(name), recorded(name)))
    with pytest.raises(NCBIError, match=f"error for 'my query': {message}") as caught:
        no_wait(entrez_settings()).read("epost", context="my query", db="pubmed")
    assert not isinstance(caught.value, NCBITransientError)
    assert len(fake.calls) == 1


def test_non_xml_answer_is_an_ncbi_error(replay):
    replay(sequence(recorded("pubmed3.html")))
    with pytest.raises(NCBIError, match="unreadable answer for 'secretome'"):
        EntrezClient(entrez_settings()).search("secretome")


# --- retries and rate limits ---------------------------------------------------------------------------


def test_transient_failures_are_retried_with_doubling_backoff(replay):
    fake = replay(
        sequence(
            http_error(429, "Too Many Requests"),
            http_error(503, "Unavailable"),
            URLError("reset"),
            recorded("esearch1.xml"),
        )
    )
    waits: list[float] = []
    client = EntrezClient(entrez_settings(max_retries=5, backoff_seconds=1.5), sleep=waits.append)
    assert client.search("biopython").count == 63
    assert waits == [1.5, 3.0, 6.0]
    assert len(fake.calls) == 4
    assert Entrez.max_tries == 1  # Bio.Entrez's own 15-second retry loop stays off


def test_retries_exhausted_raise_transient_ncbi_error(replay):
    fake = replay(lambda utility, params: http_error(502, "Bad Gateway"))
    waits: list[float] = []
    client = EntrezClient(entrez_settings(max_retries=2), sleep=waits.append)
    with pytest.raises(NCBITransientError, match="esearch for 'secretome' failed after 3 attempt"):
        client.search("secretome")
    assert waits == [1.0, 2.0]
    assert len(fake.calls) == 3


def test_client_errors_are_not_retried(replay):
    fake = replay(lambda utility, params: http_error(400, "Bad Request"))
    with pytest.raises(NCBIError, match="HTTP 400 Bad Request") as caught:
        no_wait(entrez_settings()).search("secretome")
    assert not isinstance(caught.value, NCBITransientError)
    assert len(fake.calls) == 1


@pytest.mark.parametrize(("api_key", "per_second"), [(None, 3), ("synthetic-test-key", 10)])
def test_requests_are_spaced_to_ncbi_rate_limits(replay, api_key, per_second):
    fake = replay(lambda utility, params: recorded("esearch1.xml"))
    client = EntrezClient(entrez_settings(api_key=api_key))
    for _ in range(4):
        client.search("biopython")
    gaps = [later - earlier for earlier, later in zip(fake.times, fake.times[1:])]
    assert min(gaps) >= 1 / per_second - 0.01, gaps
    assert ("api_key" in fake.calls[0][1]) == bool(api_key)


def test_reachability(replay):
    settings = Settings(_env_file=None, entrez=entrez_settings())
    replay(sequence(recorded("einfo1.xml")))
    assert ncbi_reachable(settings) is True
    replay(lambda utility, params: URLError("Name or service not known"))
    assert ncbi_reachable(settings) is False
    replay(lambda utility, params: time.sleep(2) or recorded("einfo1.xml"))
    started = time.monotonic()
    assert ncbi_reachable(settings, timeout=0.3) is False
    assert time.monotonic() - started < 1.0


def test_reachability_without_a_fake_answers_quickly():
    """Against the real network: False here, where NCBI cannot be reached, and never slow."""
    settings = Settings(_env_file=None, entrez=entrez_settings(api_key=None))
    started = time.monotonic()
    assert isinstance(ncbi_reachable(settings, timeout=3.0), bool)
    assert time.monotonic() - started < 4.0


def test_a_missing_contact_email_is_reported_once_naming_the_setting(replay, caplog):
    replay(lambda utility, params: recorded("esearch1.xml"))
    with caplog.at_level(logging.WARNING, logger="ingest.entrez"):
        client = EntrezClient(EntrezSettings(api_key="synthetic-test-key"))
        client.search("biopython")
        client.search("biopython")
    assert caplog.text.count("SECRETOME_ENTREZ__EMAIL") == 1


# --- ingestion: paging, date splitting, logging, resuming ------------------------------------------------

EFETCH_PAGES = {
    "0": "pubmed1.xml",
    "10000": "pubmed2.xml",
    "20000": "pubmed4.xml",
    "30000": "pubmed5.xml",
    "40000": "pubmed6.xml",
}
PAGED_PMIDS = {"12091962", "9997", "11748933", "11700088", "27797938", "28775130", "30108519"}


def paged_route(utility: str, params: dict[str, str]) -> Answer:
    if utility == "esearch":
        return recorded("esearch2.xml")
    return recorded(EFETCH_PAGES[params["retstart"]])


def test_history_server_paging_stores_every_batch_and_logs_the_search(replay, store, live_settings):
    fake = replay(paged_route)
    spec = SearchSpec('"stem cell" AND "secretome"', "2019/02/01", "2024/01/31", name="seed-review:secretome")
    run_id = store.start_run("pubmed", "seed-review")
    counts = run_live(store, live_settings, [spec], run_id=run_id)

    fetches = fake.of("efetch")
    assert [f["retstart"] for f in fetches] == ["0", "10000", "20000", "30000", "40000"]
    assert {(f["WebEnv"], f["query_key"], f["retmax"], f["db"]) for f in fetches} == {(WEBENV, "1", "10000", "pubmed")}
    assert (counts.new, counts.updated, counts.unchanged) == (7, 0, 0)
    assert store.count() == 7 and set(store.get_many(PAGED_PMIDS)) == PAGED_PMIDS
    (search,) = store.runs()[0]["searches"]
    assert {
        k: search[k]
        for k in (
            "query",
            "query_name",
            "mindate",
            "maxdate",
            "count_found",
            "fetched",
            "stored_new",
            "stored_updated",
            "completed",
        )
    } == {
        "query": '"stem cell" AND "secretome"',
        "query_name": "seed-review:secretome",
        "mindate": "2019/02/01",
        "maxdate": "2024/01/31",
        "count_found": 42249,
        "fetched": 7,
        "stored_new": 7,
        "stored_updated": 0,
        "completed": 1,
    }

    again = run_live(store, live_settings, [spec])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 7)


def window_of(params: dict[str, str]) -> tuple[str, str] | None:
    return (params["mindate"], params["maxdate"]) if "mindate" in params else None


def test_result_sets_over_the_limit_are_split_by_date_until_each_fits(replay, store, live_settings):
    def route(utility: str, params: dict[str, str]) -> Answer:
        start, end = (parse_date(d) for d in window_of(params))
        return recorded("esearch2.xml" if (end - start).days > 500 else "esearch8.xml")

    fake = replay(route)
    settings = live_settings.model_copy(update={"entrez": entrez_settings(max_records_per_search=9_999)})
    spec = SearchSpec("cancer", "2019/02/01", "2024/01/31")
    run_live(store, settings, [spec])

    windows = [window_of(p) for p in fake.of("esearch")]
    assert windows[0] == ("2019/02/01", "2024/01/31")
    assert len(windows) == 7  # the whole window, two halves over the limit, four quarters that fit
    days = [(parse_date(a), parse_date(b)) for a, b in windows]
    leaves = sorted((a, b) for a, b in days if (b - a).days <= 500)
    assert len(leaves) == 4
    assert leaves[0][0] == date(2019, 2, 1) and leaves[-1][1] == date(2024, 1, 31)
    assert all((b[0] - a[1]).days == 1 for a, b in itertools.pairwise(leaves))  # contiguous, no overlap
    assert {p["datetype"] for p in fake.of("esearch")} == {"pdat"}
    assert fake.of("efetch") == []
    (search,) = store.runs()[0]["searches"]
    assert (search["count_found"], search["fetched"], search["completed"]) == (42249, 0, 1)


def test_an_unbounded_query_over_the_limit_is_split_over_all_dates(replay, store, live_settings):
    answers = iter([recorded("esearch2.xml"), recorded("esearch8.xml"), recorded("esearch8.xml")])
    fake = replay(lambda utility, params: next(answers))
    settings = live_settings.model_copy(update={"entrez": entrez_settings(max_records_per_search=9_999)})
    run_live(store, settings, [SearchSpec("cancer")])
    assert [window_of(p) for p in fake.of("esearch")] == [
        None,
        ("1600/01/01", "2300/07/02"),
        ("2300/07/03", "3000/12/31"),
    ]


def test_a_single_day_over_the_limit_cannot_be_cut_silently(replay, store, live_settings):
    replay(lambda utility, params: recorded("esearch2.xml"))
    settings = live_settings.model_copy(update={"entrez": entrez_settings(max_records_per_search=9_999)})
    spec = SearchSpec("cancer", "2025/11/25", "2025/11/26")
    with pytest.raises(NCBIError, match=r"'cancer' finds 42249 records on 2025/11/25 \(pdat\) alone"):
        run_live(store, settings, [spec])
    (search,) = store.runs()[0]["searches"]
    assert search["completed"] == 0


def test_an_ncbi_error_payload_names_the_query_and_keeps_the_store(replay, store, live_settings):
    replay(paged_route)
    run_live(store, live_settings, [SearchSpec("secretome")])
    replay(sequence(recorded("esummary8.xml")))
    with pytest.raises(NCBIError, match="esearch error for 'invalid query': Neither query_key nor id specified"):
        run_live(store, live_settings, [SearchSpec("invalid query")])
    assert store.count() == 7
    failed = store.runs()[0]["searches"]
    assert [(s["query"], s["completed"]) for s in failed] == [("invalid query", 0)]


def test_an_efetch_error_payload_names_the_query(replay, store, live_settings):
    replay(lambda utility, params: recorded("esearch2.xml" if utility == "esearch" else "esummary8.xml"))
    with pytest.raises(NCBIError, match="efetch for query 'secretome' at retstart 0: not PubMed XML"):
        run_live(store, live_settings, [SearchSpec("secretome")])


def test_an_interrupted_run_keeps_its_batches_and_resumes(replay, store, live_settings):
    def failing_after_first_batch(utility: str, params: dict[str, str]) -> Answer:
        if utility == "efetch" and params["retstart"] != "0":
            return http_error(503, "Service Unavailable")
        return paged_route(utility, params)

    replay(failing_after_first_batch)
    spec = SearchSpec("secretome")
    with pytest.raises(NCBITransientError, match="efetch for 'secretome' failed after 6 attempt"):
        run_live(store, live_settings, [spec])
    assert set(store.get_many(PAGED_PMIDS)) == {"12091962", "9997"}  # the first batch, committed
    (interrupted,) = store.runs()[0]["searches"]
    assert (interrupted["fetched"], interrupted["stored_new"], interrupted["completed"]) == (2, 2, 0)
    assert store.last_completed_search("secretome") is None

    replay(paged_route)
    resumed = run_live(store, live_settings, [spec])
    assert (resumed.new, resumed.unchanged) == (5, 2)
    assert store.count() == 7


def test_an_empty_result_is_reported_not_an_error(replay, store, live_settings, caplog):
    fake = replay(sequence(recorded("esearch8.xml")))
    with caplog.at_level(logging.WARNING, logger="ingest.live"):
        counts = run_live(store, live_settings, [SearchSpec("abcXYZ")])
    assert (counts.new, counts.skipped) == (0, 0)
    assert "'abcXYZ' found no records (PhraseNotFound: abcXYZ" in caplog.text
    assert fake.of("efetch") == []
    (search,) = store.runs()[0]["searches"]
    assert (search["count_found"], search["completed"]) == (0, 1)


def test_update_fetches_only_records_modified_since_the_last_completed_search(replay, store, live_settings):
    spec = SearchSpec('"stem cell" AND "secretome"', "2019/02/01", "2024/01/31")
    replay(paged_route)
    run_live(store, live_settings, [spec])
    started = store.last_completed_search(spec.query)["started_at"]

    fake = replay(paged_route)
    counts = run_live(store, live_settings, [spec], update=True)
    (search,) = fake.of("esearch")
    since = date.fromisoformat(started[:10])
    today = datetime.now(UTC).date()
    assert (search["datetype"], search["mindate"], search["maxdate"]) == (
        "mdat",
        f"{since:%Y/%m/%d}",
        f"{today:%Y/%m/%d}",
    )
    assert search["term"] == spec.term_with_window()
    assert counts.unchanged == 7
    latest = store.runs()[0]["searches"][0]
    assert (latest["query"], latest["mindate"], latest["completed"]) == (spec.query, f"{since:%Y/%m/%d}", 1)


def test_update_without_an_earlier_search_fetches_everything(replay, store, live_settings):
    fake = replay(paged_route)
    spec = SearchSpec("secretome", "2019/02/01", "2024/01/31")
    run_live(store, live_settings, [spec], update=True)
    (search,) = fake.of("esearch")
    assert (search["term"], search["datetype"], search["mindate"]) == ("secretome", "pdat", "2019/02/01")


def test_count_only_runs_searches_without_history_or_fetching(replay, live_settings):
    fake = replay(lambda utility, params: recorded("esearch1.xml" if "secretome" in params["term"] else "esearch3.xml"))
    specs = [SearchSpec('"stem cell" AND "secretome"', "2019/02/01", "2024/01/31"), SearchSpec("PNAS[ta] AND 97[vi]")]
    counts = count_searches(live_settings, specs, client=no_wait(live_settings.entrez))
    assert [(spec.query, n) for spec, n in counts] == [(specs[0].query, 63), (specs[1].query, 2651)]
    assert [("usehistory" in p, p["retmax"], window_of(p)) for p in fake.of("esearch")] == [
        (False, "0", ("2019/02/01", "2024/01/31")),
        (False, "0", None),
    ]
    assert fake.of("efetch") == []


def test_missing_history_session_is_an_ncbi_error(replay, store, live_settings):
    replay(sequence(recorded("esearch1.xml")))
    with pytest.raises(NCBIError, match="no history-server session"):
        run_live(store, live_settings, [SearchSpec("biopython")])
