"""The conversation store: turns persist in order, apart from the document store."""

from rag.conversations import ConversationStore


def test_conversation_turns_persist_in_order(tmp_path):
    path = tmp_path / "conversations.sqlite"
    with ConversationStore(path) as store:
        store.append_turn("c1", "user", "first question")
        store.append_turn("c1", "assistant", "an answer", {"cited": ["1"]})
    with ConversationStore(path) as reopened:
        turns = reopened.conversation("c1")
        assert [t["role"] for t in turns] == ["user", "assistant"]
        assert [t["turn"] for t in turns] == [0, 1]
        assert turns[1]["payload"] == {"cited": ["1"]}
        assert reopened.conversation("missing") is None


def test_conversations_live_outside_the_document_store(tmp_path):
    from core.settings import Settings

    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert settings.conversations_path != settings.store_path
    assert settings.conversations_path.parent == settings.data_dir
