"""Per-client token buckets: pure bookkeeping, with the clock passed in so tests need not wait."""

import threading
from dataclasses import dataclass, field


@dataclass
class Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """`per_minute` requests per client, refilled continuously; a burst of up to `per_minute` is allowed.

    Idle buckets are forgotten once full again, so memory stays bounded by the number of active clients.
    """

    per_minute: int
    buckets: dict[str, Bucket] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0

    def acquire(self, client: str, now: float) -> float:
        """Take one token for `client`; returns 0 when allowed, else the seconds until a token is free."""
        with self.lock:
            bucket = self.buckets.get(client)
            if bucket is None:
                bucket = self.buckets[client] = Bucket(tokens=float(self.per_minute), updated=now)
            bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                self._forget_idle(now)
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        if len(self.buckets) < 1024:
            return
        full_after = self.per_minute / self.rate
        for key in [k for k, b in self.buckets.items() if now - b.updated >= full_after]:
            del self.buckets[key]
