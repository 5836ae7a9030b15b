"""The llm backend through the service, with LangChain's fake chat model at the model boundary (no LLM
runs here): what the model streams reaches the client as it comes, and the final answer keeps only
citations that were in the evidence, for `/v1/ask`, SSE chat and OpenAI-style streaming alike."""

import itertools
import re
from collections.abc import Iterator

import openai
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from api.app import create_app
from core.settings import Settings
from tests.api.live_server import LiveServer
from tests.api.sse import events

pytestmark = pytest.mark.slow

QUESTION = "Do extracellular vesicles from mesenchymal stem cells protect cartilage in osteoarthritis?"
FOREIGN = "1"


@pytest.fixture(scope="module")
def llm_setup(corpus_settings: Settings, corpus_server: LiveServer) -> Iterator[tuple[LiveServer, str]]:
    """A server whose llm backend is a fake model citing the top evidence record and a PMID it never saw."""
    with corpus_server.client() as client:
        evidence = client.post("/v1/ask", json={"question": QUESTION}).json()["evidence"]
    pmid = evidence[0]["pmid"]
    reply = (
        f"Yes. In the synthetic reply, vesicles protected cartilage in osteoarthritis [PMID:{pmid}]. "
        f"An invented claim cites a record outside the evidence [PMID:{FOREIGN}]."
    )
    model = GenericFakeChatModel(messages=(AIMessage(content=reply) for _ in itertools.count()))
    answer = corpus_settings.answer.model_copy(update={"backend": "llm"})
    settings = corpus_settings.model_copy(update={"answer": answer})
    with LiveServer(create_app(settings, chat_model=model)) as server:
        yield server, pmid


def test_ask_strips_a_citation_outside_the_evidence(llm_setup) -> None:
    server, pmid = llm_setup
    with server.client() as client:
        answer = client.post("/v1/ask", json={"question": QUESTION}).json()
    assert answer["backend"] == "llm" and answer["refused"] is False
    assert [c["pmid"] for c in answer["citations"]] == [pmid]
    assert f"[PMID:{FOREIGN}]" not in answer["answer"] and f"[PMID:{pmid}]" in answer["answer"]
    assert any(FOREIGN in w for w in answer["warnings"]), answer["warnings"]
    assert answer["verdict"] == "yes"


def test_sse_chat_streams_model_chunks_then_the_verified_answer(llm_setup) -> None:
    server, pmid = llm_setup
    body = {"message": QUESTION, "stream": True}
    with server.client() as client, client.stream("POST", "/v1/chat", json=body) as response:
        received = list(events(response))
    tokens = [e.json()["text"] for e in received if e.event == "token"]
    assert len(tokens) > 5, "the fake model streams word by word and the chunks pass through"
    assert f"[PMID:{FOREIGN}]" in "".join(tokens)
    final = next(e.json() for e in received if e.event == "citations")
    assert [c["pmid"] for c in final["citations"]] == [pmid]
    assert f"[PMID:{FOREIGN}]" not in final["answer"]
    assert received[-1].event == "done"


def test_openai_stream_ends_with_the_verified_answer(llm_setup) -> None:
    server, pmid = llm_setup
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="not-needed", max_retries=0)
    chunks = list(
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": QUESTION}], stream=True)
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    streamed, verified = text.split("Verified answer (citations checked after generation):")
    assert f"[PMID:{FOREIGN}]" in streamed
    assert f"[PMID:{FOREIGN}]" not in verified and f"[PMID:{pmid}]" in verified
    assert re.search(rf"References:\n\[PMID:{pmid}\] ", verified)
    assert [c["pmid"] for c in chunks[-1].model_extra["citations"]] == [pmid]
