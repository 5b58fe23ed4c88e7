"""The in-process authorizer result cache: TTL on an injected clock, per-stage flush, bounded size."""

from __future__ import annotations

from portico.auth.authorizer_cache import AuthorizerCache, CacheKey, MemoryAuthorizerCache
from portico.auth.iam_policy import parse_policy
from portico.auth.lambda_authorizer import AuthorizerResult

RESULT = AuthorizerResult("user", parse_policy({"Statement": []}), "{}", {})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def key(stage: str = "dev", token: str = "t") -> CacheKey:
    return ("api", stage, "auth1", (token,))


def test_result_lives_for_its_ttl() -> None:
    clock = Clock()
    cache: AuthorizerCache = MemoryAuthorizerCache(clock)
    cache.put(key(), RESULT, 300)
    clock.now += 299.9
    assert cache.get(key()) is RESULT
    clock.now += 0.1
    assert cache.get(key()) is None


def test_ttl_zero_is_not_kept() -> None:
    cache = MemoryAuthorizerCache(Clock())
    cache.put(key(), RESULT, 0)
    assert cache.get(key()) is None and len(cache) == 0


def test_keys_differ_by_identity_and_stage() -> None:
    cache = MemoryAuthorizerCache(Clock())
    cache.put(key(token="a"), RESULT, 60)
    assert cache.get(key(token="b")) is None
    assert cache.get(key(stage="prod", token="a")) is None


def test_flush_forgets_one_stage() -> None:
    cache = MemoryAuthorizerCache(Clock())
    cache.put(key("dev", "a"), RESULT, 60)
    cache.put(key("prod", "a"), RESULT, 60)
    cache.flush("api", "dev")
    assert cache.get(key("dev", "a")) is None
    assert cache.get(key("prod", "a")) is RESULT


def test_size_is_bounded_expired_first_then_oldest() -> None:
    clock = Clock()
    cache = MemoryAuthorizerCache(clock, max_entries=3)
    cache.put(key(token="short"), RESULT, 1)
    cache.put(key(token="a"), RESULT, 60)
    cache.put(key(token="b"), RESULT, 60)
    clock.now += 2
    cache.put(key(token="c"), RESULT, 60)  # the expired one makes room
    assert [cache.get(key(token=t)) is RESULT for t in ("a", "b", "c")] == [True, True, True]
    cache.put(key(token="d"), RESULT, 60)  # full of live results: the oldest goes
    assert cache.get(key(token="a")) is None
    assert len(cache) == 3
