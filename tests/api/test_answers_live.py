"""Answers, chat (plain and Server-Sent Events), conversations, briefings, search, records and stats over
the test corpus index (10,000 real records), against a real uvicorn server."""

import re

import pytest

from ingest.store import DocumentStore
from rag.review.profile import profile_record
from tests.api.checks import CITED, assert_verified, carries_topic
from tests.api.live_server import LiveServer
from tests.api.sse import events

pytestmark = pytest.mark.slow

ON_TOPIC = "Do extracellular vesicles from mesenchymal stem cells protect cartilage in osteoarthritis?"
OFF_TOPIC = "What is the boiling point of tungsten at sea level in degrees Celsius?"


def test_ask_answers_with_verified_citations(corpus_server: LiveServer) -> None:
    with corpus_server.client() as client:
        response = client.post("/v1/ask", json={"question": ON_TOPIC})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["refused"] is False, answer["answer"]
    assert answer["verdict"] in ("yes", "no", "undetermined")
    assert {"answer", "citations", "evidence", "verdict", "refused", "warnings", "category"} <= set(answer)
    assert_verified(answer)


def test_ask_refuses_when_the_corpus_holds_no_answer(corpus_server: LiveServer) -> None:
    with corpus_server.client() as client:
        answer = client.post("/v1/ask", json={"question": OFF_TOPIC}).json()
    assert answer["refused"] is True
    assert answer["citations"] == []
    assert any("refused" in w for w in answer["warnings"])


def test_ask_applies_filters_to_the_evidence(corpus_server: LiveServer) -> None:
    body = {"question": ON_TOPIC, "filters": {"year_from": 2021, "exclude_retracted": True}}
    with corpus_server.client() as client:
        answer = client.post("/v1/ask", json=body).json()
    assert answer["evidence"], answer
    assert all(e["year"] is not None and e["year"] >= 2021 for e in answer["evidence"])


def test_an_unconfigured_llm_backend_is_a_json_error_not_a_crash(corpus_server: LiveServer) -> None:
    with corpus_server.client() as client:
        response = client.post("/v1/ask", json={"question": ON_TOPIC, "backend": "llm"})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "llm_not_configured"
    assert "SECRETOME_ANSWER__LLM__BASE_URL" in response.json()["error"]["message"]
    assert "Traceback" not in response.text


def test_search_returns_ranked_records_with_passages(corpus_server: LiveServer) -> None:
    params = {"q": "exosomes from mesenchymal stem cells", "k": 5, "year_from": 2019}
    with corpus_server.client() as client:
        body = client.get("/v1/search", params=params).json()
    results = body["results"]
    assert body["k"] == 5 and len(results) == 5
    assert len({r["pmid"] for r in results}) == 5, "records are deduplicated"
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert all(r["passages"] and r["year"] >= 2019 for r in results)
    assert any(re.search(r"exosom|vesicle", r["title"] + r["passages"][0]["text"], re.IGNORECASE) for r in results)


def test_a_cited_record_is_served_whole_with_the_evidence_level_the_map_counts(
    corpus_server: LiveServer, corpus_settings
) -> None:
    with corpus_server.client() as client:
        answer = client.post("/v1/ask", json={"question": ON_TOPIC}).json()
        pmid = answer["citations"][0]["pmid"]
        record = client.get(f"/v1/records/{pmid}").json()
    assert record["pmid"] == pmid
    assert record["title"] == answer["citations"][0]["title"]
    with DocumentStore(corpus_settings.store_path) as store:
        levels = {c["pmid"]: profile_record(store.get(c["pmid"])).evidence for c in answer["citations"]}
    assert {c["pmid"]: c["evidence_level"] for c in answer["citations"]} == levels


def test_stats_describe_the_whole_store(corpus_server: LiveServer, corpus_settings) -> None:
    with DocumentStore(corpus_settings.store_path) as store:
        stored = store.count()
    with corpus_server.client() as client:
        stats = client.get("/v1/stats").json()
    assert stats["records"] == stored >= 10_000
    assert set(stats["by_source"]) >= {"pubmedqa", "pubmed-rss", "bioasq-snippets"}
    assert 0 < stats["on_topic"] < stats["records"]


def test_chat_follow_up_is_rewritten_and_the_conversation_persists(corpus_server: LiveServer) -> None:
    with corpus_server.client() as client:
        first = client.post("/v1/chat", json={"message": "What do exosomes from mesenchymal stem cells carry?"})
        conversation_id = first.json()["conversation_id"]
        owner = {"X-Conversation-Token": first.headers["X-Conversation-Token"]}
        follow_up_body = {"message": "Were they tested in patients?", "conversation_id": conversation_id}
        second = client.post("/v1/chat", json=follow_up_body, headers=owner)
        stored = client.get(f"/v1/conversations/{conversation_id}", headers=owner)
        missing = client.get("/v1/conversations/doesnotexist")
    assert first.status_code == 200 and second.status_code == 200, second.text
    assert second.json()["conversation_id"] == conversation_id
    follow_up = second.json()["answer"]
    assert follow_up["question"] == "Were they tested in patients?"
    assert carries_topic(follow_up["standalone_question"], "Were they tested in patients?")
    turns = stored.json()["turns"]
    assert [t["role"] for t in turns] == ["user", "assistant", "user", "assistant"]
    assert turns[2]["content"] == "Were they tested in patients?"
    assert turns[3]["payload"]["citations"] == follow_up["citations"]
    assert missing.status_code == 404


def test_chat_streams_tokens_then_citations_then_done(corpus_server: LiveServer) -> None:
    with corpus_server.client() as client:
        with client.stream("POST", "/v1/chat", json={"message": ON_TOPIC, "stream": True}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            received = list(events(response))
            owner = {"X-Conversation-Token": response.headers["X-Conversation-Token"]}
        names = [e.event for e in received]
        conversation_id = received[0].json()["conversation_id"]
        stored = client.get(f"/v1/conversations/{conversation_id}", headers=owner).json()
    assert names[0] == "start" and names[-2:] == ["citations", "done"], names
    assert set(names[1:-2]) == {"token"} and len(names) > 4, "the answer arrives in several chunks"
    final = received[-2].json()
    streamed = "".join(e.json()["text"] for e in received if e.event == "token")
    assert streamed == final["answer"], "extractive chunks join back to exactly the verified text"
    assert final["citations"] and "evidence" not in final
    assert set(CITED.findall(final["answer"])) == {c["pmid"] for c in final["citations"]}
    assert received[-1].json() == {"conversation_id": conversation_id, "refused": False}
    assert stored["turns"][-1]["content"] == final["answer"]


def test_a_stream_that_fails_before_starting_is_a_plain_json_error(corpus_server: LiveServer) -> None:
    with corpus_server.client() as client:
        response = client.post("/v1/chat", json={"message": ON_TOPIC, "stream": True, "backend": "llm"})
    assert response.status_code == 400, "no LLM endpoint configured: a setting to fix, not an outage"
    assert "SECRETOME_ANSWER__LLM__BASE_URL" in response.json()["error"]["message"]
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "llm_not_configured"


def test_a_client_that_leaves_mid_stream_does_not_hurt_the_server(corpus_server: LiveServer) -> None:
    with corpus_server.client() as client:
        with client.stream("POST", "/v1/chat", json={"message": ON_TOPIC, "stream": True}) as response:
            first = next(events(response))
        assert first.event == "start"
        assert client.get("/healthz").status_code == 200
        assert client.post("/v1/ask", json={"question": ON_TOPIC}).json()["citations"]


@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_briefings_in_every_format(corpus_server: LiveServer, fmt: str) -> None:
    topic = "mesenchymal stem cell extracellular vesicles"
    with corpus_server.client() as client:
        response = client.post("/v1/briefings", json={"topic": topic, "format": fmt})
    assert response.status_code == 200, response.text
    if fmt == "json":
        briefing = response.json()
        titles = [s["title"] for s in briefing["sections"]]
        assert len(titles) == 5 and titles[0] == "Mechanisms", titles
        cited = {p for b in briefing["executive_summary"] for p in b["pmids"]}
        cited |= {p for s in briefing["sections"] for b in s["bullets"] for p in b["pmids"]}
        assert cited and cited == {r["pmid"] for r in briefing["references"]}
        return
    assert response.headers["content-disposition"] == f'attachment; filename="briefing.{fmt}"'
    expected_type = "text/markdown" if fmt == "md" else "text/html"
    assert response.headers["content-type"].startswith(expected_type)
    assert "https://pubmed.ncbi.nlm.nih.gov/" in response.text
    assert "Mechanisms" in response.text
    if fmt == "html":
        assert response.text.lstrip().lower().startswith("<!doctype html")


def test_metrics_count_answers_by_outcome(corpus_server: LiveServer) -> None:
    with corpus_server.client() as client:
        client.post("/v1/ask", json={"question": OFF_TOPIC})
        text = client.get("/metrics").text
    refused = re.search(r'secretome_answers_total\{endpoint="ask",refused="true"\} (\d+)', text)
    assert refused and float(refused.group(1)) >= 1
