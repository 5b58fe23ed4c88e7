"""The Store protocol: transactional JSON documents plus a change-feed version."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Doc = dict[str, Any]


class Tx(Protocol):
    """One transaction. Writes are serialised store-wide, so read-modify-write loses nothing."""

    region: str

    async def get(self, kind: str, scope: str, key: str) -> Doc | None: ...

    async def list(self, kind: str, scope: str | None = "") -> list[Doc]:
        """Documents of `kind` in `scope` (all scopes when None), in creation order."""
        ...

    async def put(self, kind: str, scope: str, key: str, doc: Doc) -> None: ...

    async def delete(self, kind: str, scope: str, key: str) -> bool: ...

    async def delete_scope(self, scope: str) -> None:
        """Delete every document (of any kind) whose scope is `scope` or starts with `scope/`."""
        ...


class Store(Protocol):
    def read(self, region: str) -> AbstractAsyncContextManager[Tx]: ...

    def write(self, region: str) -> AbstractAsyncContextManager[Tx]: ...

    async def version(self) -> int:
        """A number that moves on every committed change (the change feed)."""
        ...

    async def list_all(self, kind: str) -> list[tuple[str, str, str, Doc]]:
        """(region, scope, key, doc) of every document of `kind`, across regions."""
        ...

    async def close(self) -> None: ...
