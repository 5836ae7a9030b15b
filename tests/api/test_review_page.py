"""The evidence map on the page in a real headless Chromium: the heatmap draws from /v1/map, a cell opens
its records, and "export references" downloads RIS that rispy reads. A screenshot is kept in
test-artifacts/workbench.png."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import rispy

from api.app import create_app
from tests.api.live_server import LiveServer
from tests.api.test_web_page import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.rag.retrieve.retrieval_fixtures import synthetic_settings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The store only (no index): the map of the whole store and the export need none."""
    settings = synthetic_settings(tmp_path_factory.mktemp("review-page") / "data")
    with LiveServer(create_app(settings)) as live:
        yield live


@pytest.fixture
def page(server: LiveServer, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1400}, accept_downloads=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(server.url + "/")
        yield page
        context.close()
        browser.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def show_product_by_evidence_map(page):
    """Ask for the product x evidence-level map, empty cells shown, and wait for its one human-trial cell."""
    page.select_option("[data-testid=map-rows]", "product")
    page.select_option("[data-testid=map-cols]", "evidence")
    page.uncheck("#map-hide")
    page.click("[data-testid=show-map]")
    trial = page.locator('#evidence-map td.cell[data-row="conditioned medium"][data-col="human trial"]')
    trial.wait_for(timeout=60_000)
    return trial


def test_the_map_opens_a_cells_records_and_exports_them(page, tmp_path: Path):
    trial = show_product_by_evidence_map(page)
    assert trial.inner_text() == "1"
    assert "8 records in the store" in page.locator("[data-testid=workbench-status]").inner_text()

    trial.click()
    records = page.locator("[data-testid=cell-records] li")
    records.first.wait_for()
    assert records.count() == 1
    page.wait_for_function("document.querySelector('[data-testid=cell-records] li').textContent.includes('Synthetic')")
    assert "NCT04366063" not in records.first.inner_text()  # titles, not abstracts
    link = records.first.locator("a")
    assert link.get_attribute("href") == "https://pubmed.ncbi.nlm.nih.gov/92000004/"

    with page.expect_download() as download_info:
        page.click("[data-testid=export-references]")
    download = download_info.value
    assert download.suggested_filename == "references.ris"
    saved = tmp_path / "references.ris"
    download.save_as(saved)
    (entry,) = rispy.loads(saved.read_text())
    assert entry["accession_number"] == "92000004"
    assert "exported 1 reference as RIS" in page.locator("[data-testid=workbench-status]").inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("[data-testid=workbench]").screenshot(path=str(ARTIFACTS / "workbench.png"))


def test_a_map_asked_for_while_the_default_one_loads_is_not_overwritten_by_it(page):
    held = []
    page.route("**/v1/map?rows=source*", lambda route: held.append(route))  # the default map, drawn on load, answers late
    page.reload()
    page.wait_for_function("document.querySelector('[data-testid=show-map]') !== null")
    trial = show_product_by_evidence_map(page)
    assert len(held) == 1
    with page.expect_response(lambda response: "rows=source" in response.url):
        held[0].continue_()
    page.evaluate("() => new Promise((done) => setTimeout(done, 300))")  # let the page read the late answer
    assert trial.is_visible() and trial.inner_text() == "1"
