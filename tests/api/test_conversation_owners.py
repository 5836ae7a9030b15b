"""Conversations have owners: only server-issued ids, a token handed out once (or the admin key when auth
is on), the same 404 for everyone else, and a bounded number of kept turns. Real uvicorn, real index."""

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from api.app import create_app
from rag.conversations import ConversationStore
from tests.api.live_server import LiveServer
from tests.api.sse import events
from tests.api.synthetic_index import indexed_settings

QUESTION = "Which microRNA did synthetic exosomes from mesenchymal stem cells carry into heart tissue?"
FOLLOW_UP = "Did they reduce scarring?"
KEY = "synthetic-admin-key-for-owner-tests"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    settings = indexed_settings(tmp_path_factory.mktemp("owners") / "data", conversation_max_turns=4)
    with LiveServer(create_app(settings)) as live:
        yield live


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory) -> Iterator[LiveServer]:
    settings = indexed_settings(tmp_path_factory.mktemp("keyed") / "data", admin_key=SecretStr(KEY))
    with LiveServer(create_app(settings)) as live:
        yield live


def start(client, **headers) -> tuple[str, str | None]:
    response = client.post("/v1/chat", json={"message": QUESTION}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["conversation_id"], response.headers.get("X-Conversation-Token")


def test_the_token_is_issued_once_and_only_its_holder_may_continue_or_read(server: LiveServer) -> None:
    with server.client() as owner, server.client() as stranger:
        conversation_id, token = start(owner)
        assert token and len(token) >= 40 and len(conversation_id) >= 20
        body = {"message": FOLLOW_UP, "conversation_id": conversation_id}
        assert stranger.post("/v1/chat", json=body).status_code == 404
        assert stranger.post("/v1/chat", json=body, headers={"X-Conversation-Token": "guess"}).status_code == 404
        assert stranger.get(f"/v1/conversations/{conversation_id}").status_code == 404
        continued = owner.post("/v1/chat", json=body, headers={"X-Conversation-Token": token})
        read = owner.get(f"/v1/conversations/{conversation_id}", headers={"X-Conversation-Token": token})
    assert continued.status_code == 200 and "X-Conversation-Token" not in continued.headers, "issued once only"
    assert continued.json()["conversation_id"] == conversation_id
    assert [t["content"] for t in read.json()["turns"] if t["role"] == "user"] == [QUESTION, FOLLOW_UP]


def test_a_client_chosen_id_is_refused_and_looks_like_any_unknown_id(server: LiveServer) -> None:
    with server.client() as client:
        chosen = client.post("/v1/chat", json={"message": QUESTION, "conversation_id": "x"})
        unknown = client.get("/v1/conversations/x")
    assert chosen.status_code == 404 and chosen.json()["error"]["code"] == "not_found"
    assert unknown.status_code == 404 and unknown.json() == {"error": {"code": "not_found", "message": "no conversation x"}}


def test_a_streamed_conversation_gets_its_token_in_the_response_headers(server: LiveServer) -> None:
    with server.client() as client:
        with client.stream("POST", "/v1/chat", json={"message": QUESTION, "stream": True}) as response:
            token = response.headers.get("X-Conversation-Token")
            received = list(events(response))
        conversation_id = received[0].json()["conversation_id"]
        read = client.get(f"/v1/conversations/{conversation_id}", headers={"X-Conversation-Token": token or ""})
    assert token and read.status_code == 200 and len(read.json()["turns"]) == 2


def test_stored_turns_are_capped_oldest_first(server: LiveServer) -> None:
    with server.client() as client:
        conversation_id, token = start(client)
        for message in ("Did they reduce scarring?", "Was it in mice?"):
            body = {"message": message, "conversation_id": conversation_id}
            assert client.post("/v1/chat", json=body, headers={"X-Conversation-Token": token}).status_code == 200
        turns = client.get(f"/v1/conversations/{conversation_id}", headers={"X-Conversation-Token": token}).json()
    assert [t["turn"] for t in turns["turns"]] == [2, 3, 4, 5], "conversation_max_turns=4 keeps the newest four"
    assert turns["turns"][-2]["content"] == "Was it in mice?"


def test_with_auth_on_the_key_that_started_a_conversation_may_use_it(keyed_server: LiveServer) -> None:
    with keyed_server.client() as client:
        conversation_id, token = start(client, **{"X-API-Key": KEY})
        body = {"message": FOLLOW_UP, "conversation_id": conversation_id}
        by_key = client.post("/v1/chat", json=body, headers={"X-API-Key": KEY})
        anonymous = client.get(f"/v1/conversations/{conversation_id}")
        wrong_key = client.get(f"/v1/conversations/{conversation_id}", headers={"X-API-Key": "not-the-key"})
        anonymous_started, _ = start(client)
        key_on_other = client.get(f"/v1/conversations/{anonymous_started}", headers={"X-API-Key": KEY})
    assert token and by_key.status_code == 200
    assert anonymous.status_code == 404 and wrong_key.status_code == 404
    assert key_on_other.status_code == 404, "the key owns only the conversations it started"


def test_rows_without_token_or_owner_are_nobodys(tmp_path) -> None:
    with ConversationStore(tmp_path / "c.sqlite") as store:
        store.append_turn("legacy-id", "user", "an old synthetic question")
        conversation_id, token = store.create()
        assert not store.authorized("legacy-id", None) and not store.authorized("legacy-id", "anything")
        assert store.authorized(conversation_id, token) and not store.authorized(conversation_id, token[:-1] + "x")
        assert not store.authorized("missing", token)
