"""Multi-turn chat: standalone rewriting of follow-ups and persistence in the real SQLite conversation store."""

import asyncio

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from core.errors import InputError
from core.settings import Settings
from rag.answer.answerer import Answerer
from rag.chat import Chat, ChatReply, carry_entities, is_follow_up, key_entities
from rag.conversations import ConversationStore
from tests.rag.answer.answer_fixtures import SYNTHETIC_EVIDENCE, RecordingSearcher, build_index, embedder  # noqa: F401


@pytest.fixture
def store(settings: Settings):
    with ConversationStore(settings.conversations_path) as opened:
        yield opened


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, embedder):  # noqa: F811
    return build_index(tmp_path_factory.mktemp("chat") / "data", SYNTHETIC_EVIDENCE, embedder)


@pytest.fixture
def searcher(index) -> RecordingSearcher:
    return RecordingSearcher(index)


@pytest.fixture
def answerer(settings: Settings, searcher: RecordingSearcher, embedder) -> Answerer:  # noqa: F811
    settings.answer.min_relevance = 0.3
    return Answerer(settings, searcher, embedder)


def test_key_entities_keep_the_topic_phrase_the_evidence_uses() -> None:
    evidence = "Synthetic exosomes from mesenchymal stem cell cultures carried cargo."
    assert key_entities("What cargo do mesenchymal stem cell exosomes carry?", evidence) == "mesenchymal stem cell exosomes"
    assert key_entities("Which growth factors does adipose conditioned medium contain?") == "adipose conditioned medium"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Were they tested in patients?", True),
        ("And in rats?", True),
        ("What about its safety?", True),
        ("Which cytokines does bone marrow MSC conditioned medium contain?", False),
    ],
)
def test_follow_up_detection(message: str, expected: bool) -> None:
    assert is_follow_up(message) is expected


def test_carry_entities_replaces_a_pronoun_or_appends_the_topic() -> None:
    assert carry_entities("Were they tested in patients?", "MSC exosomes") == "Were MSC exosomes tested in patients?"
    assert carry_entities("And in rats?", "MSC exosomes") == "And in rats, regarding MSC exosomes?"
    assert carry_entities("Do MSC exosomes work?", "MSC exosomes") == "Do MSC exosomes work?"


def test_a_conversation_persists_and_follow_ups_carry_the_topic(answerer: Answerer, store: ConversationStore, searcher) -> None:
    chat = Chat(answerer, store)
    first = chat.send("How do mesenchymal stem cell exosomes protect cardiomyocytes?")
    assert isinstance(first, ChatReply)
    assert not first.answer.refused
    second = chat.send("Do they reduce apoptosis?", conversation_id=first.conversation_id)
    assert second.conversation_id == first.conversation_id
    assert second.answer.question == "Do they reduce apoptosis?"
    assert "mesenchymal stem cell exosomes" in second.answer.standalone_question
    assert searcher.queries[-1] == second.answer.standalone_question

    turns = store.conversation(first.conversation_id)
    assert [t["role"] for t in turns] == ["user", "assistant", "user", "assistant"]
    assert turns[2]["payload"]["standalone_question"] == second.answer.standalone_question
    assert turns[3]["content"] == second.answer.answer
    assert turns[3]["payload"]["citations"][0]["pmid"] in {"90000101", "90000102"}


def test_the_llm_backend_rewrites_follow_ups_from_history(answerer: Answerer, store: ConversationStore, searcher) -> None:
    rewriter = FakeListChatModel(responses=["Do mesenchymal stem cell exosomes reduce cardiomyocyte apoptosis?"])
    answer_model = FakeListChatModel(responses=["Yes, miR-21 reduces apoptosis [PMID:90000101]."] * 2)
    answerer._chat_model = answer_model
    chat = Chat(answerer, store, chat_model=rewriter)
    first = chat.send("How do MSC exosomes protect cardiomyocytes?", backend="llm")
    follow = chat.send("Does that reduce apoptosis?", conversation_id=first.conversation_id, backend="llm")
    assert follow.answer.standalone_question == "Do mesenchymal stem cell exosomes reduce cardiomyocyte apoptosis?"
    assert searcher.queries[-1] == follow.answer.standalone_question
    assert follow.answer.verdict == "yes"


def test_streamed_chat_ends_with_a_stored_reply(answerer: Answerer, store: ConversationStore) -> None:
    async def collect() -> list:
        return [item async for item in Chat(answerer, store).astream("How do MSC exosomes protect cardiomyocytes?")]

    items = asyncio.run(collect())
    reply = items[-1]
    assert isinstance(reply, ChatReply)
    assert "".join(items[:-1]) == reply.answer.answer
    assert store.conversation(reply.conversation_id)[1]["content"] == reply.answer.answer


def test_an_empty_message_is_an_input_error(answerer: Answerer, store: ConversationStore) -> None:
    with pytest.raises(InputError):
        Chat(answerer, store).send("   ")
