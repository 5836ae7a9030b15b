"""The chat page in a real headless Chromium (Debian's, driven by playwright): ask, see citations as
PubMed links with their passages, follow up, download a briefing. A screenshot is kept in test-artifacts/."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.live_server import LiveServer
from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists() and os.environ.get("CI") != "true",
        reason="Debian's chromium is not installed (apt-get install -y chromium); CI always runs this test",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, corpus_server: LiveServer):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(corpus_server.url + "/")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def ask(page, question: str) -> None:
    answers_before = page.locator("[data-testid=answer]").count()
    page.fill("[data-testid=question]", question)
    page.click("[data-testid=ask]")
    page.locator(".message.assistant:not(.pending)").nth(answers_before).wait_for(timeout=120_000)


def test_the_page_answers_with_cited_pubmed_links(page) -> None:
    page.locator("[data-testid=status].ok").wait_for(timeout=30_000)
    ask(page, "Do extracellular vesicles from mesenchymal stem cells protect cartilage in osteoarthritis?")

    answer = page.locator(".message.assistant").first
    assert "[PMID:" in answer.locator("[data-testid=answer]").inner_text()
    inline = answer.locator("a.cite")
    assert inline.count() >= 1
    pmid = inline.first.get_attribute("data-pmid")
    assert inline.first.get_attribute("href") == f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    assert inline.first.get_attribute("title"), "hovering a citation shows its supporting passage"

    sources = answer.locator("[data-testid=citations] li.citation")
    assert sources.count() >= 1
    passage = sources.first.locator("blockquote.passage")
    assert not passage.is_visible()
    sources.first.locator("summary").click()
    assert passage.is_visible() and len(passage.inner_text()) > 20
    assert sources.first.locator("a").first.get_attribute("href").startswith("https://pubmed.ncbi.nlm.nih.gov/")

    meta = answer.locator(".meta")
    verdict_then_evidence = r"Verdict: (yes|no) \(P\(yes\) [01]\.\d\d\) · What kind of evidence: .+ \(\d+ cited records?\)"
    assert re.fullmatch(verdict_then_evidence, meta.inner_text()), meta.inner_text()
    assert "weigh the quoted evidence" in meta.get_attribute("title")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-page.png"), full_page=True)

    ask(page, "Were they tested in patients?")
    follow_up = page.locator(".message.assistant").nth(1)
    assert "Understood as:" in follow_up.locator(".meta").inner_text()
    assert page.locator(".message.user").count() == 2


def test_the_page_downloads_a_briefing(page, tmp_path: Path) -> None:
    page.fill("[data-testid=topic]", "mesenchymal stem cell extracellular vesicles")
    page.select_option("[data-testid=format]", "md")
    with page.expect_download(timeout=180_000) as download_info:
        page.click("[data-testid=brief]")
    download = download_info.value
    assert download.suggested_filename == "briefing.md"
    target = tmp_path / "briefing.md"
    download.save_as(target)
    text = target.read_text()
    assert "Mechanisms" in text and "https://pubmed.ncbi.nlm.nih.gov/" in text
    assert page.locator("[data-testid=briefing-download]").is_visible()
