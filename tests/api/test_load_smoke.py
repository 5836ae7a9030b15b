"""A bounded load smoke: 20 concurrent clients x 3 questions each against `/v1/ask` on the full index.

Zero errors is the assertion; the latency percentiles are printed (run with `-s` to see them), not
asserted, since they depend on the machine.
"""

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api.live_server import LiveServer
from tests.conftest import SHARED

pytestmark = pytest.mark.slow

CLIENTS = 20
QUESTIONS_EACH = 3  # 60 answers keep all 20 clients in flight together; more only lengthens CI


def questions(n: int) -> list[str]:
    """The first `n` questions of the shared BioASQ dev set: real biomedical questions, on topic or not."""
    with (SHARED / "eval" / "bioasq-dev.jsonl").open() as handle:
        return [json.loads(line)["question"] for _, line in zip(range(n), handle, strict=False)]


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def test_twenty_concurrent_clients_get_answers_without_errors(corpus_server: LiveServer) -> None:
    asked = questions(CLIENTS * QUESTIONS_EACH)

    def run_client(index: int) -> list[tuple[int, float, bool]]:
        results = []
        with httpx.Client(base_url=corpus_server.url, timeout=300) as client:
            for question in asked[index * QUESTIONS_EACH : (index + 1) * QUESTIONS_EACH]:
                started = time.perf_counter()
                response = client.post("/v1/ask", json={"question": question})
                elapsed = time.perf_counter() - started
                body = response.json()
                results.append((response.status_code, elapsed, "answer" in body and "refused" in body))
        return results

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        outcomes = [r for batch in pool.map(run_client, range(CLIENTS)) for r in batch]
    wall = time.perf_counter() - started
    latencies = [seconds * 1000 for _, seconds, _ in outcomes]

    errors = [(status, ok) for status, _, ok in outcomes if status != 200 or not ok]
    print(
        f"\nload smoke: {len(outcomes)} questions from {CLIENTS} concurrent clients in {wall:.1f} s "
        f"({len(outcomes) / wall:.1f} answers/s); latency ms p50 {percentile(latencies, 50):.0f} "
        f"p95 {percentile(latencies, 95):.0f} max {max(latencies):.0f}; errors {len(errors)}"
    )
    assert len(outcomes) == CLIENTS * QUESTIONS_EACH
    assert errors == []
