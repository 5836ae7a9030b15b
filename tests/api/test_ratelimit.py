"""The token bucket behind 429s, driven by an explicit clock."""

from api.ratelimit import RateLimiter


def test_a_full_burst_is_allowed_then_the_client_waits_for_refill() -> None:
    limiter = RateLimiter(per_minute=60)
    assert [limiter.acquire("a", now=0.0) for _ in range(60)] == [0.0] * 60
    wait = limiter.acquire("a", now=0.0)
    assert 0.99 < wait <= 1.0, "one token per second at 60 per minute"
    assert limiter.acquire("a", now=0.5) > 0
    assert limiter.acquire("a", now=1.0) == 0.0


def test_clients_have_separate_buckets() -> None:
    limiter = RateLimiter(per_minute=2)
    assert limiter.acquire("a", 0.0) == 0.0 and limiter.acquire("a", 0.0) == 0.0
    assert limiter.acquire("a", 0.0) > 0
    assert limiter.acquire("b", 0.0) == 0.0


def test_refill_never_exceeds_the_burst() -> None:
    limiter = RateLimiter(per_minute=3)
    limiter.acquire("a", 0.0)
    allowed = [limiter.acquire("a", 3600.0) for _ in range(4)]
    assert allowed[:3] == [0.0, 0.0, 0.0] and allowed[3] > 0


def test_idle_clients_are_forgotten_once_there_are_many() -> None:
    limiter = RateLimiter(per_minute=60)
    for i in range(1100):
        limiter.acquire(f"client-{i}", now=float(i) / 1000)
    limiter.acquire("late", now=1000.0)
    assert len(limiter.buckets) < 10
