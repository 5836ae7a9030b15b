"""Endpoints that need no index, against a real uvicorn server over a synthetic store: health, records,
stats, metrics, request ids, CORS, the page, error shapes, body and question limits, admin auth."""

import httpx
import pytest

from tests.api.conftest import ADMIN_KEY
from tests.api.live_server import LiveServer


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"], body
    assert "Traceback" not in response.text
    return body["error"]


def test_healthz_answers_and_echoes_a_request_id(small_server: LiveServer) -> None:
    with small_server.client() as client:
        response = client.get("/healthz", headers={"X-Request-ID": "my-trace-42"})
        generated = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["x-request-id"] == "my-trace-42"
    assert len(generated.headers["x-request-id"]) == 32
    assert generated.headers["x-request-id"] != response.headers["x-request-id"]


def test_a_request_id_that_is_not_a_plain_token_is_replaced(small_server: LiveServer) -> None:
    with small_server.client() as client:
        response = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert response.headers["x-request-id"] != "bad id with spaces"


def test_readyz_reports_the_missing_index_with_503(small_server: LiveServer) -> None:
    with small_server.client() as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["store"] == "ok (3 records)"
    assert "index" in body["checks"]["index"].lower()


def test_a_record_is_served_from_the_store(small_server: LiveServer) -> None:
    with small_server.client() as client:
        response = client.get("/v1/records/99000001")
    assert response.status_code == 200
    record = response.json()
    assert record["pmid"] == "99000001"
    assert record["title"] == "Synthetic record about secretome topic 1"
    assert record["year"] == 2021 and record["retracted"] is False


def test_unknown_and_malformed_pmids_are_json_errors(small_server: LiveServer) -> None:
    with small_server.client() as client:
        missing = client.get("/v1/records/12345")
        malformed = client.get("/v1/records/not-a-pmid")
    assert "12345" in assert_error(missing, 404, "not_found")["message"]
    assert "pmid" in assert_error(malformed, 422, "invalid_request")["message"]


def test_unknown_route_and_wrong_method_are_json_errors(small_server: LiveServer) -> None:
    with small_server.client() as client:
        assert_error(client.get("/v1/nothing-here"), 404, "not_found")
        assert_error(client.get("/v1/ask"), 405, "method_not_allowed")


def test_stats_count_the_store(small_server: LiveServer) -> None:
    with small_server.client() as client:
        stats = client.get("/v1/stats").json()
    assert stats["records"] == 3
    assert stats["by_source"] == {"synthetic": 3}
    assert stats["by_year"] == {"2020": 1, "2021": 1, "2022": 1}
    assert stats["on_topic"] == 3


def test_search_without_an_index_is_a_503_saying_what_to_do(small_server: LiveServer) -> None:
    with small_server.client() as client:
        response = client.get("/v1/search", params={"q": "secretome"})
    error = assert_error(response, 503, "index_missing")
    assert "secretome-qa index" in error["message"]


def test_malformed_json_and_missing_fields_are_422(small_server: LiveServer) -> None:
    with small_server.client() as client:
        broken = client.post("/v1/ask", content=b"{not json", headers={"Content-Type": "application/json"})
        missing = client.post("/v1/ask", json={"filters": {}})
        unknown = client.post("/v1/ask", json={"question": "secretome?", "colour": "blue"})
        empty = client.post("/v1/ask", json={"question": ""})
    assert_error(broken, 422, "invalid_request")
    assert "question" in assert_error(missing, 422, "invalid_request")["message"]
    assert "colour" in assert_error(unknown, 422, "invalid_request")["message"]
    assert_error(empty, 422, "invalid_request")


def test_questions_over_the_length_limit_are_422_with_the_limit(small_server: LiveServer) -> None:
    question = ("secretome " * 25).strip() + "?"  # 250 characters; the server allows 200
    with small_server.client() as client:
        for path, body in (
            ("/v1/ask", {"question": question}),
            ("/v1/chat", {"message": question}),
            ("/v1/briefings", {"topic": question}),
            ("/v1/chat/completions", {"messages": [{"role": "user", "content": question}]}),
        ):
            error = assert_error(client.post(path, json=body), 422, "question_too_long")
            assert "200" in error["message"] and "250" in error["message"], (path, error)
        error = assert_error(client.get("/v1/search", params={"q": question}), 422, "question_too_long")
    assert error["message"] == "q is 250 characters; the limit is 200"


def test_bodies_over_the_size_limit_are_413(small_server: LiveServer) -> None:
    big = {"question": "x" * 5_000}
    with small_server.client() as client:
        declared = client.post("/v1/ask", json=big)

        def chunks():  # no Content-Length: the limit must hold while reading, too
            for _ in range(10):
                yield b" " * 1_000

        streamed = client.post("/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert "4000" in assert_error(declared, 413, "payload_too_large")["message"]
    assert_error(streamed, 413, "payload_too_large")


def test_admin_endpoints_need_the_right_key(small_server: LiveServer) -> None:
    with small_server.client() as client:
        without = client.post("/v1/ingest", data={"query": "secretome"})
        wrong = client.post("/v1/ingest", data={"query": "secretome"}, headers={"X-API-Key": ADMIN_KEY + "x"})
        job_without = client.get("/v1/jobs/abc")
        job_with = client.get("/v1/jobs/abc", headers={"X-API-Key": ADMIN_KEY})
    assert "missing" in assert_error(without, 401, "unauthorized")["message"]
    assert "invalid" in assert_error(wrong, 401, "unauthorized")["message"]
    assert_error(job_without, 401, "unauthorized")
    assert_error(job_with, 404, "not_found")


def test_ingest_needs_exactly_one_source(small_server: LiveServer) -> None:
    headers = {"X-API-Key": ADMIN_KEY}
    with small_server.client(headers=headers) as client:
        none = client.post("/v1/ingest", data={})
        two = client.post("/v1/ingest", data={"query": "secretome", "preset": "seed-review"})
        bad_date = client.post("/v1/ingest", data={"query": "secretome", "mindate": "last week"})
    assert "exactly one" in assert_error(none, 422, "invalid_request")["message"]
    assert "exactly one" in assert_error(two, 422, "invalid_request")["message"]
    assert "mindate" in assert_error(bad_date, 422, "invalid_request")["message"]


def test_cors_allows_the_configured_origin_only(small_server: LiveServer) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    with small_server.client() as client:
        allowed = client.options("/v1/ask", headers={"Origin": "http://allowed.example", **preflight})
        other = client.options("/v1/ask", headers={"Origin": "http://elsewhere.example", **preflight})
        simple = client.get("/healthz", headers={"Origin": "http://allowed.example"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://allowed.example"
    assert "access-control-allow-origin" not in other.headers
    assert simple.headers["access-control-allow-origin"] == "http://allowed.example"


def test_metrics_count_requests_by_route_template(small_server: LiveServer) -> None:
    with small_server.client() as client:
        for pmid in ("99000000", "99000002", "5"):
            client.get(f"/v1/records/{pmid}")
        text = client.get("/metrics").text
    assert 'secretome_http_requests_total{method="GET",route="/v1/records/{pmid}",status="200"}' in text
    assert 'secretome_http_requests_total{method="GET",route="/v1/records/{pmid}",status="404"}' in text
    assert "99000002" not in text  # concrete paths never become labels
    assert "secretome_http_request_duration_seconds_bucket" in text


def test_the_page_and_its_assets_are_served(small_server: LiveServer) -> None:
    with small_server.client() as client:
        page = client.get("/")
        script = client.get("/static/app.js")
        style = client.get("/static/style.css")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="/static/app.js"' in page.text and 'data-testid="ask"' in page.text
    assert script.status_code == 200 and "/v1/chat" in script.text
    assert style.status_code == 200


def test_openapi_docs_describe_the_endpoints(small_server: LiveServer) -> None:
    with small_server.client() as client:
        schema = client.get("/openapi.json").json()
        docs = client.get("/docs")
        swagger_js = client.get("/docs-assets/swagger-ui-bundle.js")
    assert docs.status_code == 200
    assert "/docs-assets/swagger-ui-bundle.js" in docs.text and "cdn.jsdelivr" not in docs.text, "docs work offline"
    assert swagger_js.status_code == 200
    paths = ["/v1/ask", "/v1/chat", "/v1/chat/completions", "/v1/briefings", "/v1/search", "/v1/records/{pmid}",
             "/v1/stats", "/v1/ingest", "/v1/jobs/{job_id}", "/v1/conversations/{conversation_id}", "/healthz",
             "/readyz", "/metrics"]
    for path in paths:
        assert path in schema["paths"], path
    ask_schema = schema["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert ask_schema["examples"], "the question field carries an example for /docs"


@pytest.mark.parametrize("limit", [3])
def test_rate_limit_per_client_is_429_with_retry_after(tmp_path, limit: int) -> None:
    from api.app import create_app
    from tests.api.conftest import small_settings

    settings = small_settings(tmp_path / "data", rate_limit_per_minute=limit)
    with LiveServer(create_app(settings)) as server, server.client() as client:
        statuses = [client.get("/v1/records/99000000").status_code for _ in range(limit + 2)]
        limited = client.get("/v1/records/99000000")
        health = client.get("/healthz")
    assert statuses[:limit] == [200] * limit
    assert statuses[limit:] == [429, 429]
    error = assert_error(limited, 429, "rate_limited")
    assert f"{limit} requests per minute" in error["message"]
    assert int(limited.headers["retry-after"]) >= 1
    assert health.status_code == 200, "health checks are never rate limited"
