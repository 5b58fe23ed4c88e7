"""Persistent store of API configuration (documents keyed by region, kind, scope and key)."""

from portico.store.base import Store, Tx
from portico.store.sql import SqlStore, open_store

__all__ = ["SqlStore", "Store", "Tx", "open_store"]
