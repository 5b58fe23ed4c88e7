"""The authorizer result cache (Developer Guide: "Use API Gateway Lambda authorizers", caching with
`authorizerResultTtlInSeconds`; REST API reference: FlushStageAuthorizersCache).

Results are kept per stage, authorizer and identity source values for the authorizer's TTL (0: no
caching); a cached policy is evaluated again against each request's method ARN, as API Gateway does.
`AuthorizerCache` is the seam; `MemoryAuthorizerCache` keeps results in this process (a shared
implementation for several workers can come behind the same protocol).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from portico.auth.lambda_authorizer import AuthorizerResult

# (api id, stage, authorizer id, identity source values)
CacheKey = tuple[str, str, str, tuple[str, ...]]
MAX_ENTRIES = 10_000


class AuthorizerCache(Protocol):
    def get(self, key: CacheKey) -> AuthorizerResult | None: ...

    def put(self, key: CacheKey, result: AuthorizerResult, ttl: float) -> None: ...

    def flush(self, api_id: str, stage: str) -> None:
        """Forget every result of one stage (FlushStageAuthorizersCache)."""
        ...


class MemoryAuthorizerCache:
    """In-process TTL cache with an injected monotonic clock; at most `max_entries` results."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = MAX_ENTRIES) -> None:
        self._clock = clock
        self._max = max_entries
        self._entries: dict[CacheKey, tuple[float, AuthorizerResult]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: CacheKey) -> AuthorizerResult | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[key]
            return None
        return entry[1]

    def put(self, key: CacheKey, result: AuthorizerResult, ttl: float) -> None:
        if ttl <= 0:
            return
        now = self._clock()
        self._entries.pop(key, None)
        if len(self._entries) >= self._max:
            self._evict(now)
        self._entries[key] = (now + ttl, result)

    def flush(self, api_id: str, stage: str) -> None:
        self._entries = {k: v for k, v in self._entries.items() if (k[0], k[1]) != (api_id, stage)}

    def _evict(self, now: float) -> None:
        """Drop expired results; if still full, the oldest ones (insertion order)."""
        self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
        while len(self._entries) >= self._max:
            del self._entries[next(iter(self._entries))]
