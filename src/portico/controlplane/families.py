"""Imports every operation family so its operations register (order does not matter)."""

from portico.controlplane import restapis  # noqa: F401
