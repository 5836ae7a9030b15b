"""NCBI E-utilities through Bio.Entrez, with the retry policy and error mapping in one place.

Bio.Entrez spaces requests to NCBI's limit itself (3 a second, 10 with an API key). Its own retry loop
(three tries, 15 s apart) is switched off with `Entrez.max_tries = 1` before every request, so that
retries follow the settings (`max_retries`, doubling `backoff_seconds`) with a sleep tests can replace.
Identity (email, tool, api_key) goes with every request as parameters taken from the settings, never
from module globals set at import time.
"""

import contextlib
import http.client
import io
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.error import HTTPError

from Bio import Entrez

from core.errors import NCBIError, NCBITransientError, SecretomeQAError
from core.settings import EntrezSettings
from ingest.searches import DateWindow

# Network failures worth retrying (URLError and socket errors are OSErrors); HTTP errors are judged by code.
_TRANSIENT = (OSError, http.client.HTTPException)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchResult:
    """One esearch: the hit count, where the history server keeps the hits, and NCBI's notices
    (e.g. "PhraseNotFound: abcXYZ") that explain an empty or surprising result."""

    count: int
    webenv: str | None = None
    query_key: str | None = None
    notices: list[str] = field(default_factory=list)


class EntrezClient:
    """Talks to PubMed for one settings object; `sleep` is what waits between retries."""

    def __init__(self, settings: EntrezSettings, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.sleep = sleep
        if not settings.email:
            log.warning("no contact e-mail for NCBI: set SECRETOME_ENTREZ__EMAIL, as NCBI asks of every client")

    def search(self, term: str, window: DateWindow | None = None, *, history: bool = True) -> SearchResult:
        """Count a query's hits (retmax=0); with `history`, keep them on NCBI's history server for efetch."""
        params: dict[str, Any] = {"db": "pubmed", "term": term, "retmax": 0}
        if history:
            params["usehistory"] = "y"
        if window is not None:
            params.update(window.params())
        record = self.read("esearch", context=term, **params)
        notices = [
            f"{kind}: {value}"
            for group in ("ErrorList", "WarningList")
            for kind, values in record.get(group, {}).items()
            for value in values
        ]
        return SearchResult(int(record["Count"]), record.get("WebEnv"), record.get("QueryKey"), notices)

    def fetch_pubmed(self, result: SearchResult, *, retstart: int, retmax: int, context: str) -> bytes:
        """One batch of PubMed XML from a history-server result set."""
        if not result.webenv or not result.query_key:
            raise NCBIError(f"esearch for {context!r} returned no history-server session (WebEnv/QueryKey)")
        return self.request(
            "efetch",
            context=context,
            db="pubmed",
            WebEnv=result.webenv,
            query_key=result.query_key,
            retstart=retstart,
            retmax=retmax,
            retmode="xml",
        )

    def fetch_pmids(self, pmids: Sequence[str], *, context: str) -> bytes:
        """PubMed XML of the given records (Bio.Entrez posts the id list when it is long)."""
        return self.request("efetch", context=context, db="pubmed", id=",".join(pmids), retmode="xml")

    def read(self, utility: str, *, context: str, retry: bool = True, **params: Any) -> Any:
        """An E-utility's XML answer parsed by `Bio.Entrez.read`; an <ERROR> payload becomes NCBIError."""
        data = self.request(utility, context=context, retry=retry, **params)
        try:
            return Entrez.read(io.BytesIO(data))
        except RuntimeError as exc:  # Bio.Entrez raises it for an <ERROR> element
            raise NCBIError(f"NCBI {utility} error for {context!r}: {exc}") from exc
        except ValueError as exc:  # not XML, corrupted, or outside its DTD
            raise NCBIError(f"NCBI {utility} sent an unreadable answer for {context!r}: {exc}") from exc

    def request(self, utility: str, *, context: str, retry: bool = True, **params: Any) -> bytes:
        """The raw answer of one E-utility call, retried on HTTP 429/5xx and network errors.

        Raises:
            NCBIError: NCBI refused the request (HTTP 4xx other than 429).
            NCBITransientError: still failing when the retries are spent.
        """
        call = getattr(Entrez, utility)
        attempts = self.settings.max_retries + 1 if retry else 1
        identity = {
            "email": self.settings.email,
            "tool": self.settings.tool,
            "api_key": self.settings.api_key.get_secret_value() if self.settings.api_key else None,
        }
        failure: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                self.sleep(self.settings.backoff_seconds * 2 ** (attempt - 1))
            Entrez.max_tries = 1
            try:
                with self._quiet_about_email(), call(**params, **identity) as handle:
                    data = handle.read()
                return data.encode() if isinstance(data, str) else data
            except HTTPError as exc:
                if exc.code != 429 and exc.code < 500:
                    raise NCBIError(
                        f"NCBI {utility} refused the request for {context!r}: HTTP {exc.code} {exc.reason}"
                    ) from exc
                failure = exc
            except _TRANSIENT as exc:
                failure = exc
        raise NCBITransientError(
            f"NCBI {utility} for {context!r} failed after {attempts} attempt(s): {failure}"
        ) from failure

    @contextlib.contextmanager
    def _quiet_about_email(self) -> Iterator[None]:
        """Silence Bio.Entrez's warning about a missing e-mail, given on every request and naming its own
        global: this client has said it once already, naming the setting to use."""
        if self.settings.email:
            yield
            return
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"\s*Email address is not specified", category=UserWarning)
            yield

    def reachable(self, timeout: float) -> bool:
        """Whether NCBI answers an einfo listing PubMed within `timeout` seconds; never raises.

        The probe runs in a daemon thread because name resolution ignores socket timeouts.
        """
        answers: list[bool] = []

        def probe() -> None:
            try:
                record = self.read("einfo", context="reachability check", retry=False)
                answers.append("pubmed" in record.get("DbList", []))
            except SecretomeQAError:
                answers.append(False)

        worker = threading.Thread(target=probe, name="ncbi-probe", daemon=True)
        worker.start()
        worker.join(timeout)
        return bool(answers) and answers[0]
