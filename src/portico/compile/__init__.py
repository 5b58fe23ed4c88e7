"""Compilation of deployments into immutable runtime snapshots."""
