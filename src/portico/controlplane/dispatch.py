"""The control plane: route an AWS wire request to its operation, run it in one transaction."""

from __future__ import annotations

import logging
import re
from typing import Any, cast

from portico.controlplane.errors import ApiError, NotImplementedByPortico, render_error
from portico.controlplane.registry import APIGATEWAY, LAMBDA, Ids, OpContext, Registry
from portico.controlplane.spec import ServiceSpec
from portico.settings import Settings
from portico.store.base import Store, Tx
from portico.wire import Request, Response, json_response

log = logging.getLogger("portico.controlplane")

_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")


def region_of(request: Request, default: str) -> str:
    """The region from the SigV4 credential scope, as AWS endpoints read it."""
    auth = request.header("authorization") or ""
    match = _SCOPE.search(auth)
    if match:
        return match.group(1)
    cred = request.query and re.search(r"X-Amz-Credential=[^&]*?%2F\d{8}%2F([a-z0-9-]+)%2F", request.query)
    return cred.group(1) if cred else default


class ControlPlane:
    def __init__(self, store: Store, settings: Settings, ids: Ids | None = None, runtime: Any = None) -> None:
        from portico.controlplane import families  # noqa: F401  (registers operations)

        self.store = store
        self.settings = settings
        self.ids = ids or Ids()
        self.data_plane: object = None  # set by the app; handed to operations as `ctx.data_plane`
        self.runtime = runtime  # handed to operations as `ctx.services`
        self.services: list[tuple[ServiceSpec, Registry]] = [
            (ServiceSpec("apigateway"), APIGATEWAY),
            (ServiceSpec("lambda"), LAMBDA),
        ]

    def claims(self, request: Request) -> bool:
        return any(spec.claims(request.path) for spec, _ in self.services)

    async def __call__(self, request: Request) -> Response:
        for spec, registry in self.services:
            if not spec.claims(request.path):
                continue
            found = spec.match(request)
            if found is None:
                continue
            op, labels = found
            try:
                params = spec.parse(op, labels, request)
                output = await self._run(registry, op.name, params, request)
                return spec.serialize(op, output)
            except ApiError as exc:
                return render_error(exc, lambda_style=registry is LAMBDA)
            except Exception:
                log.exception("operation %s failed", op.name)
                return json_response(500, b'{"message":"Internal server error"}')
        return render_error(ApiError("Unknown operation", code="UnknownOperationException", status=404))

    async def _run(self, registry: Registry, name: str, params: dict, request: Request) -> dict | None:
        entry = registry.operations.get(name)
        if entry is None:
            raise NotImplementedByPortico(
                f"Portico does not implement {registry.service}:{name} yet (see docs/compatibility.md)"
            )
        region = region_of(request, self.settings.default_region)
        if not entry.transaction:
            no_tx = cast(Tx, None)
            ctx = OpContext(region, self.settings.account_id, no_tx, request, self.settings, self.ids)
            ctx.services = self.runtime
            return await entry.fn(ctx, params)
        opener = self.store.write if entry.write else self.store.read
        async with opener(region) as tx:
            ctx = OpContext(region, self.settings.account_id, tx, request, self.settings, self.ids)
            ctx.data_plane = self.data_plane
            ctx.services = self.runtime
            return await entry.fn(ctx, params)
