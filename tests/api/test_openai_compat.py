"""The real `openai` Python client against `/v1/chat/completions`, non-streaming and streaming."""


import openai
import pytest

from tests.api.checks import CITED, carries_topic
from tests.api.live_server import LiveServer

pytestmark = pytest.mark.slow

QUESTION = "Do extracellular vesicles from mesenchymal stem cells protect cartilage in osteoarthritis?"


def client_for(server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key="not-needed", max_retries=0, timeout=120)


def test_openai_client_gets_a_cited_answer(corpus_server: LiveServer) -> None:
    completion = client_for(corpus_server).chat.completions.create(
        model="secretome-qa",
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": QUESTION}],
    )
    assert completion.object == "chat.completion" and completion.model == "secretome-qa"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    text = choice.message.content
    citations = completion.model_extra["citations"]
    assert citations, text
    cited_in_text = set(CITED.findall(text.split("References:")[0]))
    assert cited_in_text == {c["pmid"] for c in citations}
    assert "References:" in text
    for citation in citations:
        assert f"[PMID:{citation['pmid']}]" in text.split("References:")[1]
        assert citation["link"] in text and f"[{citation['evidence_level']}" in text
    assert text.rstrip().endswith(completion.model_extra["secretome"]["evidence_line"]), "chat clients see the kinds"
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


def test_openai_client_streams_the_answer_then_the_citations(corpus_server: LiveServer) -> None:
    stream = client_for(corpus_server).chat.completions.create(
        model="secretome-qa", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    assert len(chunks) > 3
    assert chunks[0].choices[0].delta.role == "assistant"
    assert len({c.id for c in chunks}) == 1 and all(c.object == "chat.completion.chunk" for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    citations = last.model_extra["citations"]
    assert citations and {c["pmid"] for c in citations} == set(CITED.findall(text.split("References:")[0]))
    assert "Verified answer" not in text, "extractive text streams exactly as verified"
    assert last.model_extra["secretome"]["refused"] is False


def test_openai_history_turns_a_follow_up_into_a_standalone_question(corpus_server: LiveServer) -> None:
    completion = client_for(corpus_server).chat.completions.create(
        model="secretome-qa",
        messages=[
            {"role": "user", "content": "What do exosomes from mesenchymal stem cells carry?"},
            {"role": "assistant", "content": "They carry microRNAs and proteins."},
            {"role": "user", "content": "Were they tested in patients?"},
        ],
    )
    answer = completion.model_extra["secretome"]
    assert answer["question"] == "Were they tested in patients?"
    assert carries_topic(answer["standalone_question"], "Were they tested in patients?")


def test_openai_client_sees_errors_as_api_errors(corpus_server: LiveServer) -> None:
    client = client_for(corpus_server)
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        client.chat.completions.create(model="secretome-qa", messages=[{"role": "assistant", "content": "hello"}])
    assert caught.value.body["code"] == "invalid_request"
    assert "last message must come from the user" in caught.value.body["message"]
