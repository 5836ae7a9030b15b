"""The llm backend through LangChain's fake chat models at the model boundary.

Everything but the model is real: a store and hybrid index over synthetic records, routing and sentence
embedding with the bundled model, citation verification, refusal. The fake models replay what a real
model could write.
"""

import asyncio
import socket

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI

from core.errors import LLMNotConfiguredError, ModelUnavailableError
from core.settings import LLMSettings, Settings
from rag.answer.answerer import Answerer
from rag.answer.llm import build_chat_model, format_evidence
from rag.retrieve.searcher import Searcher
from rag.types import CitedAnswer
from tests.rag.answer.answer_fixtures import SYNTHETIC_EVIDENCE, build_index, embedder  # noqa: F401 (fixture)

QUESTION = "How do mesenchymal stem cell exosomes protect cardiomyocytes?"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory, embedder) -> Searcher:  # noqa: F811
    return build_index(tmp_path_factory.mktemp("llm") / "data", SYNTHETIC_EVIDENCE, embedder)


@pytest.fixture
def make_answerer(settings: Settings, searcher: Searcher, embedder):  # noqa: F811
    settings.answer.min_relevance = 0.3

    def make(model) -> Answerer:
        return Answerer(settings, searcher, embedder, chat_model=model)

    return make


def test_a_pmid_outside_the_evidence_is_stripped_and_reported(make_answerer) -> None:
    model = FakeListChatModel(
        responses=["Exosomes deliver miR-21 to cardiomyocytes [PMID:90000101]. They also cure ageing [PMID:31415926]."]
    )
    answer = make_answerer(model).ask(QUESTION, backend="llm")
    assert not answer.refused
    assert [c.pmid for c in answer.citations] == ["90000101"]
    assert "31415926" not in answer.answer
    assert any("31415926" in w for w in answer.warnings)
    assert answer.citations[0].link == "https://pubmed.ncbi.nlm.nih.gov/90000101/"
    assert answer.backend == "llm"


def test_a_retracted_record_is_never_citable(make_answerer) -> None:
    model = FakeListChatModel(responses=["Exosomes cure every disease [PMID:90000103]. miR-21 helps [PMID:90000101]."])
    answer = make_answerer(model).ask(QUESTION, backend="llm")
    assert "90000103" not in {c.pmid for c in answer.citations}
    assert "90000103" not in {e.pmid for e in answer.evidence}
    assert any("retracted" in w and "90000103" in w for w in answer.warnings)


def test_an_answer_citing_nothing_is_flagged_and_refused(make_answerer) -> None:
    answer = make_answerer(FakeListChatModel(responses=["Exosomes are helpful. They work well."])).ask(
        QUESTION, backend="llm"
    )
    assert answer.refused
    assert sum(w.startswith("uncited sentence flagged") for w in answer.warnings) == 2
    assert answer.citations == []
    assert "does not hold enough evidence" in answer.answer


def test_a_partly_uncited_answer_keeps_and_flags_the_uncited_sentence(make_answerer) -> None:
    model = FakeListChatModel(responses=["Exosomes carry miR-21 [PMID:90000101]. This is widely believed."])
    answer = make_answerer(model).ask(QUESTION, backend="llm")
    assert not answer.refused
    assert "This is widely believed." in answer.answer
    assert any(w == "uncited sentence flagged: 'This is widely believed.'" for w in answer.warnings)


def test_uncited_sentences_are_dropped_when_settings_say_so(make_answerer, settings: Settings) -> None:
    settings.answer.uncited_sentences = "drop"
    model = FakeListChatModel(responses=["Exosomes carry miR-21 [PMID:90000101]. This is widely believed."])
    answer = make_answerer(model).ask(QUESTION, backend="llm")
    assert answer.answer == "Exosomes carry miR-21 [PMID:90000101]."


def test_streaming_yields_tokens_then_the_verified_answer(make_answerer) -> None:
    text = "Exosomes deliver miR-21 [PMID:90000101]. Invented claim [PMID:27182818]."
    model = GenericFakeChatModel(messages=iter([AIMessage(content=text)]))
    async def collect() -> list:
        return [item async for item in make_answerer(model).astream(QUESTION, backend="llm")]

    items = asyncio.run(collect())
    chunks, final = items[:-1], items[-1]
    assert len(chunks) > 3, "the model's tokens must arrive one by one"
    assert all(isinstance(c, str) for c in chunks)
    assert "".join(chunks) == text
    assert isinstance(final, CitedAnswer)
    assert final.answer == "Exosomes deliver miR-21 [PMID:90000101]. Invented claim."
    assert any("27182818" in w for w in final.warnings)


def test_async_streaming_matches(make_answerer) -> None:
    text = "Exosomes deliver miR-21 [PMID:90000101]."
    model = GenericFakeChatModel(messages=iter([AIMessage(content=text)]))

    async def collect() -> list:
        return [item async for item in make_answerer(model).astream(QUESTION, backend="llm")]

    items = asyncio.run(collect())
    assert "".join(i for i in items[:-1]) == text
    assert items[-1].citations[0].pmid == "90000101"


def test_the_prompt_numbers_the_evidence_with_its_pmids() -> None:
    prompt = format_evidence(SYNTHETIC_EVIDENCE[:2])
    assert prompt.startswith("<evidence>\n[1] PMID:90000101") and prompt.endswith("</evidence>")
    assert "\n\n[2] PMID:90000102" in prompt


def test_models_are_built_from_settings() -> None:
    openai_model = build_chat_model(LLMSettings(base_url="http://127.0.0.1:9/v1", model="tiny"))
    assert isinstance(openai_model, ChatOpenAI)
    assert openai_model.model_name == "tiny"
    assert isinstance(build_chat_model(LLMSettings(provider="ollama", model="tiny")), ChatOllama)
    with pytest.raises(LLMNotConfiguredError, match="SECRETOME_ANSWER__LLM__BASE_URL"):
        build_chat_model(LLMSettings())


def test_an_unreachable_endpoint_is_a_clear_error(make_answerer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    model = build_chat_model(LLMSettings(base_url=f"http://127.0.0.1:{port}/v1", model="tiny", timeout_seconds=5))
    with pytest.raises(ModelUnavailableError, match="LLM endpoint failed"):
        make_answerer(model).ask(QUESTION, backend="llm")
