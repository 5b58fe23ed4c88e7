"""Imports every operation family module of the control plane so its operations register."""

from __future__ import annotations

import importlib
import pkgutil

import portico.controlplane as _package

_INFRASTRUCTURE = {"apidoc", "dispatch", "errors", "families", "patch", "registry", "spec"}

for _module in pkgutil.iter_modules(_package.__path__):
    if _module.name not in _INFRASTRUCTURE and not _module.ispkg:
        importlib.import_module(f"{_package.__name__}.{_module.name}")
