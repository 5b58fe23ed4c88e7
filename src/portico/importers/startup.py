"""`portico serve FILE`: import FILE as a REST API and deploy it to the configured stage."""

from __future__ import annotations

from portico.importers.errors import ImportFailed
from portico.settings import Settings
from portico.store.base import Store


async def import_and_deploy(store: Store, settings: Settings, path: str) -> str:
    raise ImportFailed(f"{path}: importing files is not implemented yet")
