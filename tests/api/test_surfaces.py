"""What a new user meets first, over a real uvicorn server on a small real index (synthetic records, some
without a title, one title with inline markup): the OpenAI surface clients probe, /docs rendered by
Chromium, and the chat page's empty state, errors, phone width, titles and briefing."""

import json
import os
from collections.abc import Iterator

import pytest

from api.app import create_app
from core.settings import Settings
from ingest.store import DocumentStore
from tests.api.live_server import LiveServer
from tests.api.test_web_page import CHROMIUM, CHROMIUM_ARGS
from tests.cli.conftest import PARTIAL_ABSTRACT, cli_records

MICRORNA_QUESTION = "Which microRNAs do umbilical cord MSC extracellular vesicles or CD34+ cell exosomes contain?"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from rag.index.indexer import Indexer

    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("surfaces") / "data")
    with DocumentStore(settings.store_path) as store:
        store.upsert(cli_records())
    Indexer(settings).run(show_progress=False)
    with LiveServer(create_app(settings)) as live:
        yield live


def test_v1_models_lists_the_service_model(server: LiveServer) -> None:
    with server.client() as client:
        body = client.get("/v1/models").json()
    assert body["object"] == "list" and body["data"][0]["id"] == "secretome-qa"
    assert body["data"][0]["object"] == "model"


def test_a_yes_no_completion_says_its_verdict_in_the_text(server: LiveServer) -> None:
    question = "Do mesenchymal stem cell exosomes carry miR-21?"
    with server.client() as client:
        body = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": question}]}).json()
    verdict = body["secretome"]["verdict"]
    assert verdict, body["secretome"]
    assert body["choices"][0]["message"]["content"].startswith(f"Verdict: {verdict}")


def test_streaming_with_include_usage_ends_with_a_usage_chunk(server: LiveServer) -> None:
    request = {"messages": [{"role": "user", "content": "Which microRNA do MSC exosomes carry?"}], "stream": True,
               "stream_options": {"include_usage": True}}
    with server.client() as client, client.stream("POST", "/v1/chat/completions", json=request) as response:
        data = [line[5:].strip() for line in response.iter_lines() if line.startswith("data:")]
    assert data[-1] == "[DONE]"
    last = json.loads(data[-2])
    assert last["choices"] == [] and last["usage"]["completion_tokens"] > 0
    assert last["usage"]["total_tokens"] == last["usage"]["prompt_tokens"] + last["usage"]["completion_tokens"]
    without = {**request, "stream_options": None}
    with server.client() as client, client.stream("POST", "/v1/chat/completions", json=without) as response:
        plain = [line[5:].strip() for line in response.iter_lines() if line.startswith("data:")]
    assert all("usage" not in json.loads(d) for d in plain[:-1])


def test_redoc_is_not_served_from_a_cdn(server: LiveServer) -> None:
    with server.client() as client:
        assert client.get("/redoc").status_code == 404
        assert client.get("/docs/openapi.json").json()["openapi"].startswith("3.0")
        assert client.get("/openapi.json").json()["openapi"].startswith("3.1")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists() and os.environ.get("CI") != "true":
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_page(browser, url: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    return context, page, errors


@pytest.mark.browser
def test_docs_renders_the_operations_in_chromium(browser, server: LiveServer) -> None:
    context, page, errors = open_page(browser, server.url + "/docs")
    try:
        page.locator(".opblock").first.wait_for(timeout=30_000)
        assert page.locator(".opblock").count() >= 5
        assert "/v1/chat/completions" in page.content()
        assert "Unable to render" not in page.content()
    finally:
        context.close()
    assert errors == []


def ask(page, question: str) -> None:
    page.fill("[data-testid=question]", question)
    page.click("[data-testid=ask]")
    page.locator(".message.assistant:not(.pending)").last.wait_for(timeout=120_000)


@pytest.mark.browser
def test_the_empty_page_offers_examples_and_says_what_the_corpus_covers(browser, server: LiveServer) -> None:
    context, page, errors = open_page(browser, server.url + "/")
    try:
        empty = page.locator("[data-testid=empty-state]")
        assert empty.is_visible() and "secretome" in empty.inner_text()
        assert page.locator("[data-example]").count() >= 3
        assert page.locator("link[rel=icon]").count() == 1
        page.locator("[data-example]").first.click()
        page.locator(".message.assistant:not(.pending)").first.wait_for(timeout=120_000)
        assert not empty.is_visible()
    finally:
        context.close()
    assert errors == []


@pytest.mark.browser
def test_citations_show_plain_titles_or_the_passage_opening(browser, server: LiveServer) -> None:
    context, page, errors = open_page(browser, server.url + "/")
    try:
        ask(page, MICRORNA_QUESTION)
        summaries = page.locator("[data-testid=citations] summary").all_inner_texts()
        text = " ".join(summaries)
        assert summaries and "untitled" not in text and "<sup>" not in text
        assert "Synthetic umbilical cord MSC extracellular vesicles contained" in text or "CD34+" in text
    finally:
        context.close()
    assert errors == []


@pytest.mark.browser
def test_answers_show_the_evidence_levels_the_map_counts_and_mark_partial_abstracts(
    browser, server: LiveServer
) -> None:
    context, page, errors = open_page(browser, server.url + "/")
    try:
        ask(page, MICRORNA_QUESTION)
        shown = page.locator("[data-testid=citations] .study-type").all_inner_texts()
        meta = page.locator(".message.assistant .meta").last.inner_text()
        partial = [
            item.get_attribute("data-pmid")
            for item in page.locator("[data-testid=citations] li.citation").all()
            if item.locator(".partial").count()
        ]
    finally:
        context.close()
    assert errors == []
    with server.client() as client:
        answer = client.post("/v1/ask", json={"question": MICRORNA_QUESTION}).json()
    citations = answer["citations"]
    assert answer["evidence_line"] and answer["evidence_line"] in meta
    assert shown and [s.split(",")[0] for s in shown] == [c["evidence_level"] for c in citations]
    assert partial == [c["pmid"] for c in citations if not c["abstract_complete"]] == [PARTIAL_ABSTRACT]


@pytest.mark.browser
def test_an_unreachable_service_leaves_no_pending_bubble(browser, server: LiveServer) -> None:
    context, page, _ = open_page(browser, server.url + "/")
    try:
        page.route("**/v1/chat", lambda route: route.abort())
        page.fill("[data-testid=question]", "Do MSC exosomes carry microRNAs?")
        page.click("[data-testid=ask]")
        page.locator(".message.assistant.error").first.wait_for(timeout=10_000)
        assert page.locator(".message.assistant").count() == 1
        assert page.locator(".message.pending").count() == 0
        assert "could not be reached" in page.locator(".message.assistant").inner_text()
    finally:
        context.close()


@pytest.mark.browser
def test_the_header_fits_a_390_px_phone(browser, server: LiveServer) -> None:
    context, page, errors = open_page(browser, server.url + "/", width=390)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for selector in ("header h1", "[data-testid=status]", ".tagline"):
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (selector, box)
    finally:
        context.close()
    assert errors == []


@pytest.mark.browser
def test_a_briefing_is_shown_on_the_page_and_downloadable(browser, server: LiveServer) -> None:
    context, page, errors = open_page(browser, server.url + "/")
    try:
        page.fill("[data-testid=topic]", "mesenchymal stem cell exosomes")
        with page.expect_download(timeout=180_000) as download:
            page.click("[data-testid=brief]")
        assert download.value.suggested_filename == "briefing.md"
        shown = page.locator("[data-testid=briefing-text] pre")
        shown.wait_for(timeout=10_000)
        assert "PMID" in shown.inner_text() or "pubmed" in shown.inner_text().lower()
    finally:
        context.close()
    assert errors == []


@pytest.mark.browser
def test_the_page_shows_the_background_build_then_ready(browser, tmp_path, monkeypatch) -> None:
    from rag.index.indexer import PAUSE_ENV, Indexer

    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    with DocumentStore(settings.store_path) as store:
        store.upsert(cli_records())
    Indexer(settings).run(show_progress=False, vectors=False)
    monkeypatch.setenv(PAUSE_ENV, "after_embedding:6")  # the in-process build waits there, the page polls
    with LiveServer(create_app(settings)) as live:
        context, page, errors = open_page(browser, live.url + "/")
        try:
            badge = page.locator("[data-testid=status]")
            page.locator("[data-testid=status].busy").wait_for(timeout=30_000)
            assert badge.inner_text() == f"indexing 0 / {len(cli_records())}"
            page.locator("[data-testid=status].ok").wait_for(timeout=60_000)
            assert badge.inner_text() == "ready"
        finally:
            context.close()
    assert errors == []
