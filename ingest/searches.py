"""What to search PubMed for: queries with date windows, and the named presets in `presets.json`."""

import calendar
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import InputError

# Bounds for a window left open on one side; NCBI needs both ends once any is given.
EARLIEST = date(1600, 1, 1)
LATEST = date(3000, 12, 31)
_DATE = re.compile(r"^(\d{4})(?:/(\d{1,2})(?:/(\d{1,2}))?)?$")


def parse_date(text: str, *, end: bool = False) -> date:
    """A PubMed date `YYYY`, `YYYY/MM` or `YYYY/MM/DD`; a partial date means its first day, or last if `end`.

    Raises:
        InputError: anything else, or a day that does not exist.
    """
    match = _DATE.match(text.strip())
    if not match:
        raise InputError(f"bad date {text!r}: expected YYYY/MM/DD (or YYYY/MM, YYYY)")
    year, month, day = (int(part) if part else None for part in match.groups())
    month = month or (12 if end else 1)
    try:
        day = day or (calendar.monthrange(year, month)[1] if end else 1)
        return date(year, month, day)
    except (ValueError, calendar.IllegalMonthError) as exc:
        raise InputError(f"bad date {text!r}: {exc}") from exc


def format_date(day: date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


@dataclass(frozen=True)
class DateWindow:
    """Inclusive days on one of PubMed's date fields: `pdat` (publication) or `mdat` (last modified)."""

    start: date
    end: date
    datetype: str = "pdat"

    @property
    def mindate(self) -> str:
        return format_date(self.start)

    @property
    def maxdate(self) -> str:
        return format_date(self.end)

    def params(self) -> dict[str, str]:
        """The esearch parameters that restrict a search to this window."""
        return {"datetype": self.datetype, "mindate": self.mindate, "maxdate": self.maxdate}

    def halves(self) -> tuple["DateWindow", "DateWindow"] | None:
        """Two windows that tile this one without overlap; None for a single day, which cannot be split."""
        if self.start >= self.end:
            return None
        middle = self.start + (self.end - self.start) // 2
        return (
            DateWindow(self.start, middle, self.datetype),
            DateWindow(middle + timedelta(days=1), self.end, self.datetype),
        )


@dataclass(frozen=True)
class SearchSpec:
    """One PubMed query, optionally limited to publication dates; `name` labels it in the search log.

    Raises:
        InputError: an empty query, a malformed date, or mindate after maxdate.
    """

    query: str
    mindate: str | None = None
    maxdate: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if not (self.query or "").strip():
            raise InputError("the PubMed query is empty")
        self.window()

    def window(self) -> DateWindow | None:
        """The publication-date window, or None when the search is not limited by date."""
        if not self.mindate and not self.maxdate:
            return None
        start = parse_date(self.mindate) if self.mindate else EARLIEST
        end = parse_date(self.maxdate, end=True) if self.maxdate else LATEST
        if start > end:
            raise InputError(f"mindate {self.mindate} is after maxdate {self.maxdate}")
        return DateWindow(start, end)

    def term_with_window(self) -> str:
        """The query with its publication window written into the term, for searches whose
        `datetype` parameter is taken by another date field (an update's modification window)."""
        window = self.window()
        if window is None:
            return self.query
        return f'({self.query}) AND ("{window.mindate}"[Date - Publication] : "{window.maxdate}"[Date - Publication])'


class _PresetQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    query: str = Field(min_length=1)
    mindate: str | None = None
    maxdate: str | None = None


class _Preset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    mindate: str | None = None
    maxdate: str | None = None
    queries: list[_PresetQuery] = Field(min_length=1)


@cache
def _presets() -> dict[str, _Preset]:
    """The presets shipped in `ingest/presets.json`: add one there to make it available everywhere."""
    text = resources.files("ingest").joinpath("presets.json").read_text(encoding="utf-8")
    try:
        return {name: _Preset.model_validate(body) for name, body in json.loads(text).items()}
    except (ValueError, ValidationError) as exc:
        raise InputError(f"ingest/presets.json is invalid: {exc}") from exc


def preset_names() -> list[str]:
    return sorted(_presets())


def load_preset(name: str) -> list[SearchSpec]:
    """The searches of a named preset; a query's own dates override the preset's.

    Raises:
        InputError: no preset has that name (the message lists the known ones).
    """
    preset = _preset(name)
    return [
        SearchSpec(
            query=q.query,
            mindate=q.mindate or preset.mindate,
            maxdate=q.maxdate or preset.maxdate,
            name=f"{name}:{q.name}",
        )
        for q in preset.queries
    ]


def _preset(name: str) -> _Preset:
    presets = _presets()
    if name not in presets:
        raise InputError(f"unknown preset {name!r}; known presets: {', '.join(sorted(presets))}")
    return presets[name]
