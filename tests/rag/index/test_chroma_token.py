"""`chroma.token` is sent to the Chroma server on every request, so a token-checking proxy in front of
`chroma run` (the Rust server has no auth of its own) can refuse everyone else."""

import http.server
import threading
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from core.errors import VectorStoreUnavailableError
from core.settings import Settings
from rag.index.chroma_store import make_client
from tests.chroma_server import ChromaServer

TOKEN = "synthetic-chroma-token-0123456789"


def token_proxy(upstream: str, header: str) -> http.server.ThreadingHTTPServer:
    """A minimal reverse proxy: 401 unless the request carries the token, else forward to `upstream`."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _forward(self) -> None:
            presented = self.headers.get(header, "")
            if presented not in (TOKEN, f"Bearer {TOKEN}"):
                self.send_response(401)
                self.end_headers()
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            reply = httpx.request(self.command, upstream + self.path, content=body, headers=headers, timeout=30)
            self.send_response(reply.status_code)
            for key, value in reply.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.content)))
            self.end_headers()
            self.wfile.write(reply.content)

        do_GET = do_POST = do_PUT = do_DELETE = _forward

        def log_message(self, *args: object) -> None:
            pass

    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory) -> Iterator[int]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma-token") / "db").start()
    proxy = token_proxy(server.url, "Authorization")
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy.server_address[1]
    finally:
        proxy.shutdown()
        server.stop()


def settings_for(tmp_path, port: int, token: str | None) -> Settings:
    chroma = {"mode": "http", "host": "127.0.0.1", "port": port}
    if token:
        chroma["token"] = SecretStr(token)
    return Settings(_env_file=None, data_dir=tmp_path / "data", chroma=chroma)


def test_the_configured_token_reaches_the_server(proxied: int, tmp_path) -> None:
    client = make_client(settings_for(tmp_path, proxied, TOKEN))
    collection = client.get_or_create_collection("synthetic-token-check")
    assert collection.count() == 0


def test_without_the_token_the_proxy_refuses(proxied: int, tmp_path) -> None:
    with pytest.raises(VectorStoreUnavailableError):
        client = make_client(settings_for(tmp_path, proxied, None))
        client.list_collections()
