"""Operation registries: one per AWS service, filled by the family modules' decorators."""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from portico.settings import Settings
from portico.store.base import Tx
from portico.wire import Request

Params = dict[str, Any]
Output = dict[str, Any] | None

_ALNUM = string.ascii_lowercase + string.digits


class Ids:
    """Identifier factory (injected so tests can make ids predictable)."""

    def __init__(self, rand: Callable[[int], str] | None = None) -> None:
        self._rand = rand or (lambda n: "".join(secrets.choice(_ALNUM) for _ in range(n)))

    def short(self, n: int = 10) -> str:
        return self._rand(n)

    def mixed(self, n: int) -> str:
        alphabet = string.ascii_letters + string.digits
        return "".join(secrets.choice(alphabet) for _ in range(n))


@dataclass(slots=True)
class OpContext:
    region: str
    account_id: str
    tx: Tx
    request: Request
    settings: Settings
    ids: Ids = field(default_factory=Ids)
    clock: Callable[[], float] = time.time
    data_plane: Any = None  # the REST API data plane (TestInvokeMethod runs requests through it)
    services: Any = None  # runtime services of the composition root (e.g. the function host)

    def now(self) -> int:
        return int(self.clock())


Operation = Callable[[OpContext, Params], Awaitable[Output]]


@dataclass(frozen=True, slots=True)
class Registered:
    fn: Operation
    write: bool
    transaction: bool = True  # False: runs outside any store transaction (`ctx.tx` is unusable)


class Registry:
    def __init__(self, service: str) -> None:
        self.service = service
        self.operations: dict[str, Registered] = {}

    def op(self, name: str, *, write: bool, transaction: bool = True) -> Callable[[Operation], Operation]:
        def decorate(fn: Operation) -> Operation:
            if name in self.operations:
                raise RuntimeError(f"{self.service}.{name} registered twice")
            self.operations[name] = Registered(fn, write, transaction)
            return fn

        return decorate


APIGATEWAY = Registry("apigateway")
APIGATEWAYV2 = Registry("apigatewayv2")
LAMBDA = Registry("lambda")
