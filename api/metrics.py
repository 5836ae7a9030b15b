"""Prometheus metrics for one app, in the app's own registry (two apps in one process never collide)."""

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass
class ServiceMetrics:
    """Request counts and latencies by route template, in-flight requests, and answers by outcome."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter(
            "secretome_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "secretome_http_request_duration_seconds",
            "Time from request start to the last response byte.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge("secretome_http_in_flight", "Requests being served.", registry=self.registry)
        self.answers = Counter(
            "secretome_answers",
            "Answers produced, by endpoint and whether the evidence was judged insufficient.",
            ["endpoint", "refused"],
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def count_answer(self, endpoint: str, refused: bool) -> None:
        self.answers.labels(endpoint, str(refused).lower()).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
