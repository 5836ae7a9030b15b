"""The token bucket behind 429s, driven by an explicit clock, in memory and in a shared SQLite file."""

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


def test_the_table_is_bounded_by_forgetting_the_idlest_clients() -> None:
    limiter = RateLimiter(per_minute=60, max_clients=100)
    for i in range(1000):
        limiter.acquire(f"client-{i}", now=float(i))
    assert limiter.clients() <= 100
    assert limiter.acquire("client-999", now=999.0) == 0.0


def test_two_limiters_on_one_file_share_the_buckets(tmp_path) -> None:
    """What two worker processes see: the limit holds in total, not per process."""
    first = RateLimiter(per_minute=4, path=tmp_path / "ratelimit.sqlite")
    second = RateLimiter(per_minute=4, path=tmp_path / "ratelimit.sqlite")
    results = [limiter.acquire("a", now=100.0) for limiter in (first, second, first, second, first)]
    assert results[:4] == [0.0] * 4 and results[4] > 0
