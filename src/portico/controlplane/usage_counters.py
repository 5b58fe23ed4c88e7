"""Per-key daily usage counters of usage plans and the quota arithmetic of GetUsage / UpdateUsage.

Stored as documents of kind `usage`, scope = usage plan id, key `{keyId}/{YYYY-MM-DD}` holding
`{"used": n}` (requests counted by the data plane) and optionally `{"extra": n}` (quota granted
that day by UpdateUsage). The remaining quota of a day is the plan's `quota.limit` (less
`quota.offset` in the plan's first period) plus the extras, minus the requests used since the start
of the quota period (DAY; WEEK starts on Monday; MONTH on the 1st; all UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from portico.store.base import Tx

KIND = "usage"
Doc = dict[str, Any]


def as_date(day: dt.date | str) -> dt.date:
    return day if isinstance(day, dt.date) else dt.date.fromisoformat(day)


def counter_key(key_id: str, day: dt.date | str) -> str:
    return f"{key_id}/{as_date(day).isoformat()}"


def utc_day(epoch: float) -> dt.date:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).date()


async def _bump(tx: Tx, plan_id: str, key_id: str, day: dt.date | str, field: str, n: int) -> Doc:
    key = counter_key(key_id, day)
    doc = await tx.get(KIND, plan_id, key) or {"keyId": key_id, "day": as_date(day).isoformat(), "used": 0}
    doc[field] = int(doc.get(field, 0)) + n
    await tx.put(KIND, plan_id, key, doc)
    return doc


async def record_usage(tx: Tx, plan_id: str, key_id: str, day: dt.date | str, n: int = 1) -> int:
    """Count `n` requests of API key `key_id` on `day` (a date or `YYYY-MM-DD`, UTC) under usage plan
    `plan_id`; returns the day's total."""
    doc = await _bump(tx, plan_id, key_id, day, "used", n)
    return int(doc["used"])


async def grant_extra(tx: Tx, plan_id: str, key_id: str, day: dt.date, n: int) -> None:
    """Add `n` (may be negative) to the quota of the period containing `day`, from `day` on."""
    await _bump(tx, plan_id, key_id, day, "extra", n)


@dataclass(frozen=True, slots=True)
class DayCount:
    used: int = 0
    extra: int = 0


async def load_counts(tx: Tx, plan_id: str, key_id: str) -> dict[dt.date, DayCount]:
    counts = {}
    for doc in await tx.list(KIND, plan_id):
        if doc.get("keyId") == key_id:
            day = dt.date.fromisoformat(doc["day"])
            counts[day] = DayCount(int(doc.get("used", 0)), int(doc.get("extra", 0)))
    return counts


def period_start(day: dt.date, period: str) -> dt.date:
    if period == "WEEK":
        return day - dt.timedelta(days=day.weekday())
    if period == "MONTH":
        return day.replace(day=1)
    return day


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _sum(counts: dict[dt.date, DayCount], span: Iterable[dt.date]) -> tuple[int, int]:
    used = extra = 0
    for day in span:
        count = counts.get(day)
        if count:
            used, extra = used + count.used, extra + count.extra
    return used, extra


def balance(quota: Doc, counts: dict[dt.date, DayCount], day: dt.date, first: dt.date | None) -> int:
    """Quota left at the end of `day`; negative when more requests were counted than allowed."""
    period = str(quota.get("period", "DAY"))
    start = period_start(day, period)
    limit = int(quota.get("limit", 0))
    if first is not None and start == period_start(first, period):
        limit -= int(quota.get("offset", 0) or 0)
    used, extra = _sum(counts, days(start, day))
    return limit + extra - used


def remaining(quota: Doc | None, counts: dict[dt.date, DayCount], day: dt.date, first: dt.date | None) -> int:
    """The quota left at the end of `day` (0 for a plan without a quota)."""
    return max(balance(quota, counts, day, first), 0) if quota else 0


def daily_log(
    quota: Doc | None, counts: dict[dt.date, DayCount], span: list[dt.date], first: dt.date | None
) -> list[list[int]]:
    """GetUsage's `[used, remaining]` entry for every day of `span`."""
    return [[counts.get(d, DayCount()).used, remaining(quota, counts, d, first)] for d in span]
