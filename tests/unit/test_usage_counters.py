"""Quota arithmetic of usage plans (pure)."""

from __future__ import annotations

import datetime as dt

from portico.controlplane.usage_counters import (
    DayCount,
    balance,
    daily_log,
    days,
    grant_extra,
    load_counts,
    period_start,
    record_usage,
    remaining,
)

D = dt.date


def test_period_start():
    wednesday = D(2024, 5, 15)
    assert period_start(wednesday, "DAY") == wednesday
    assert period_start(wednesday, "WEEK") == D(2024, 5, 13)
    assert period_start(wednesday, "MONTH") == D(2024, 5, 1)


def test_days_inclusive():
    assert days(D(2024, 2, 28), D(2024, 3, 1)) == [D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 1)]


def test_daily_quota_resets_every_day():
    quota = {"limit": 10, "period": "DAY"}
    counts = {D(2024, 1, 1): DayCount(4), D(2024, 1, 2): DayCount(12)}
    assert daily_log(quota, counts, days(D(2024, 1, 1), D(2024, 1, 3)), None) == [[4, 6], [12, 0], [0, 10]]
    assert balance(quota, counts, D(2024, 1, 2), None) == -2


def test_monthly_quota_accumulates_with_offset_in_first_period_and_extras():
    quota = {"limit": 100, "offset": 20, "period": "MONTH"}
    counts = {D(2024, 1, 30): DayCount(10), D(2024, 1, 31): DayCount(5, extra=50), D(2024, 2, 1): DayCount(1)}
    first = D(2024, 1, 15)
    span = days(D(2024, 1, 30), D(2024, 2, 1))
    assert daily_log(quota, counts, span, first) == [[10, 70], [5, 115], [1, 99]]


def test_no_quota_reports_zero_remaining():
    assert remaining(None, {D(2024, 1, 1): DayCount(3)}, D(2024, 1, 1), None) == 0


class MemoryTx:
    """Just enough of the store's Tx for the counters."""

    region = "us-east-1"

    def __init__(self) -> None:
        self.docs: dict[tuple[str, str, str], dict] = {}

    async def get(self, kind: str, scope: str, key: str) -> dict | None:
        return self.docs.get((kind, scope, key))

    async def list(self, kind: str, scope: str | None = "") -> list[dict]:
        return [d for (k, s, _), d in self.docs.items() if k == kind and (scope is None or s == scope)]

    async def put(self, kind: str, scope: str, key: str, doc: dict) -> None:
        self.docs[(kind, scope, key)] = doc


async def test_record_usage_and_extras_are_stored_per_key_and_day():
    tx = MemoryTx()
    assert await record_usage(tx, "plan1", "key1", D(2024, 3, 1), 2) == 2
    assert await record_usage(tx, "plan1", "key1", "2024-03-01") == 3
    await record_usage(tx, "plan1", "key2", D(2024, 3, 1), 9)
    await grant_extra(tx, "plan1", "key1", D(2024, 3, 2), 5)
    assert tx.docs[("usage", "plan1", "key1/2024-03-01")]["used"] == 3
    assert await load_counts(tx, "plan1", "key1") == {
        D(2024, 3, 1): DayCount(3),
        D(2024, 3, 2): DayCount(0, 5),
    }
