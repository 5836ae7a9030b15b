"""Search specs, date windows and the presets file, checked against the founding review in ../shared/seed."""

import re
from datetime import date

import pytest

from core.errors import InputError
from ingest.live import SearchSpec, load_preset, preset_names
from ingest.searches import EARLIEST, LATEST, DateWindow, parse_date
from tests.conftest import SHARED

SEED_REVIEW_QUERIES = [
    '"stem cell" AND "secretome"',
    '"stem cell" AND "conditioned media"',
    '"stem cell" AND "extracellular vesicle"',
    '"stem cell secretome" AND "clinical therapy"',
    '"stem cell" AND "amniotic fluid"',
    '"amniotic fluid" AND "clinical therapy"',
]


def seed_text() -> str:
    """The review's text with typographic quotes straightened, line breaks joined, and the "fl" ligature
    its PDF extraction dropped ("amniotic luid") restored."""
    (seed,) = (SHARED / "seed").glob("*.txt")
    text = seed.read_text(encoding="utf-8").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split()).replace("amniotic luid", "amniotic fluid")


def test_seed_review_preset_is_the_six_queries_of_the_review():
    specs = load_preset("seed-review")
    assert [s.query for s in specs] == SEED_REVIEW_QUERIES
    text = seed_text()
    for query in SEED_REVIEW_QUERIES:
        assert query in text, query
    assert "within 5 years of the date of the search, which was performed in February 2024" in text


def test_seed_review_window_is_the_five_years_before_february_2024():
    for spec in load_preset("seed-review"):
        assert (spec.mindate, spec.maxdate) == ("2019/02/01", "2024/01/31")
        assert spec.window() == DateWindow(date(2019, 2, 1), date(2024, 1, 31), "pdat")
        assert spec.name and spec.name.startswith("seed-review:")
    assert len({s.name for s in load_preset("seed-review")}) == 6


def test_every_shipped_preset_loads():
    assert "seed-review" in preset_names()
    for name in preset_names():
        assert all(isinstance(spec, SearchSpec) for spec in load_preset(name))


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(InputError, match=re.escape("unknown preset 'nope'; known presets: ") + ".*seed-review"):
        load_preset("nope")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"query": "  "}, "query is empty"),
        ({"query": "secretome", "mindate": "2019-02-01"}, "bad date '2019-02-01'"),
        ({"query": "secretome", "maxdate": "2023/02/30"}, "bad date '2023/02/30'"),
        (
            {"query": "secretome", "mindate": "2024/01/01", "maxdate": "2023/12/31"},
            "mindate 2024/01/01 is after maxdate",
        ),
    ],
)
def test_bad_search_specs_are_input_errors(spec, message):
    with pytest.raises(InputError, match=message):
        SearchSpec(**spec)


def test_partial_and_open_dates():
    assert SearchSpec("q", mindate="2019", maxdate="2024/02").window() == DateWindow(
        date(2019, 1, 1), date(2024, 2, 29)
    )
    assert SearchSpec("q", mindate="2019/02/01").window() == DateWindow(date(2019, 2, 1), LATEST)
    assert SearchSpec("q", maxdate="2000").window() == DateWindow(EARLIEST, date(2000, 12, 31))
    assert SearchSpec("q").window() is None
    assert parse_date("2023/2/5") == date(2023, 2, 5)


def test_update_term_carries_the_publication_window():
    spec = load_preset("seed-review")[0]
    assert spec.term_with_window() == (
        '("stem cell" AND "secretome") AND ("2019/02/01"[Date - Publication] : "2024/01/31"[Date - Publication])'
    )
    assert SearchSpec("secretome").term_with_window() == "secretome"


def test_halving_tiles_the_window_without_gaps_or_overlap():
    window = DateWindow(date(2019, 2, 1), date(2024, 1, 31))
    left, right = window.halves()
    assert (left.start, right.end) == (window.start, window.end)
    assert (right.start - left.end).days == 1
    assert abs((left.end - left.start).days - (right.end - right.start).days) <= 1
    two_days = DateWindow(date(2020, 1, 1), date(2020, 1, 2), "mdat")
    assert two_days.halves() == (
        DateWindow(date(2020, 1, 1), date(2020, 1, 1), "mdat"),
        DateWindow(date(2020, 1, 2), date(2020, 1, 2), "mdat"),
    )
    assert DateWindow(date(2020, 1, 1), date(2020, 1, 1)).halves() is None
    assert window.params() == {"datetype": "pdat", "mindate": "2019/02/01", "maxdate": "2024/01/31"}
