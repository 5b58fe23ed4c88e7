"""Deployment → runtime snapshot (compile once, execute many; DESIGN.md §2).

A `Snapshot` is immutable: it maps API ids to their stages, and each stage to the compiled
deployment it serves (and its canary). Deployments never change once created, so their compiled
form is cached by (region, api id, deployment id) and shared between successive snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portico.compile.authorizers import AuthorizerPlan, compile_authorizers
from portico.compile.gateway_responses import CompiledResponse, compile_gateway_responses
from portico.compile.integration_kind import integration_kind
from portico.compile.mapping import DeploymentMapping, compile_mappings
from portico.compile.routes import Node, build_trie
from portico.compile.validation import MethodValidator, compile_validators
from portico.integrations.http_plan import HttpPlan, compile_http_plans
from portico.observability.access_log import AccessLogFormat, compile_format
from portico.store.base import Store

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class MethodRuntime:
    resource_id: str
    resource_path: str
    http_method: str
    method: Doc
    integration: Doc | None
    kind: str | None = None  # compile/integration_kind.py: where requests go


@dataclass(frozen=True, slots=True)
class DeploymentRuntime:
    id: str
    api: Doc  # the API document as it was when the deployment was created
    trie: Node
    methods: dict[tuple[str, str], MethodRuntime]
    gateway_responses: dict[str, Doc]
    validators: dict[tuple[str, str], MethodValidator] = field(default_factory=dict)
    mapping: DeploymentMapping = field(default_factory=DeploymentMapping)
    compiled_responses: dict[str, CompiledResponse] = field(default_factory=dict)  # customised types
    http_plans: dict[tuple[str, str], HttpPlan] = field(default_factory=dict)
    authorizers: dict[tuple[str, str], AuthorizerPlan] = field(default_factory=dict)  # CUSTOM methods
    disable_execute_api_endpoint: bool = False  # the API's flag, read once here (every request asks)


@dataclass(frozen=True, slots=True)
class CanaryRuntime:
    deployment: DeploymentRuntime
    percent: float
    variables: dict[str, str]


@dataclass(frozen=True, slots=True)
class StageRuntime:
    region: str
    api_id: str
    name: str
    doc: Doc
    variables: dict[str, str]
    deployment: DeploymentRuntime
    canary: CanaryRuntime | None = None
    access_log: AccessLogFormat | None = None


@dataclass(frozen=True, slots=True)
class ApiRuntime:
    id: str
    region: str
    stages: dict[str, StageRuntime]


@dataclass(frozen=True, slots=True)
class DomainRuntime:
    """A custom domain name: base path ("(none)" for the empty one) → (api id, stage or None)."""

    name: str
    mappings: dict[str, tuple[str, str | None]]


@dataclass(frozen=True, slots=True)
class Snapshot:
    version: int
    apis: dict[str, ApiRuntime] = field(default_factory=dict)
    domains: dict[str, DomainRuntime] = field(default_factory=dict)


EMPTY = Snapshot(0)


def compile_deployment(deployment_id: str, api: Doc) -> DeploymentRuntime:
    resources = api.get("_resources", {})
    methods: dict[tuple[str, str], MethodRuntime] = {}
    for res in resources.values():
        for verb, meth in (res.get("resourceMethods") or {}).items():
            methods[(res["id"], verb)] = MethodRuntime(
                res["id"],
                res.get("path", "/"),
                verb,
                meth,
                meth.get("methodIntegration"),
                integration_kind(meth.get("methodIntegration")),
            )
    return DeploymentRuntime(
        deployment_id,
        api,
        build_trie(resources),
        methods,
        dict(api.get("_gatewayResponses", {})),
        validators=compile_validators(api),
        mapping=compile_mappings(api),
        compiled_responses=compile_gateway_responses(api),
        http_plans=compile_http_plans(api),
        authorizers=compile_authorizers(api, deployment_id),
        disable_execute_api_endpoint=bool(api.get("disableExecuteApiEndpoint")),
    )


class SnapshotBuilder:
    """Builds snapshots from the store, reusing compiled deployments."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, str, str], DeploymentRuntime] = {}

    async def build(self, store: Store, version: int) -> Snapshot:
        deployments = {(r, s, k): d for r, s, k, d in await store.list_all("deployment")}
        apis: dict[str, dict[str, StageRuntime]] = {}
        regions: dict[str, str] = {}
        used: set[tuple[str, str, str]] = set()
        for region, api_id, name, stage in await store.list_all("stage"):
            main = self._deployment(deployments, used, region, api_id, stage.get("deploymentId"))
            if main is None:
                continue
            apis.setdefault(api_id, {})[name] = StageRuntime(
                region,
                api_id,
                name,
                stage,
                dict(stage.get("variables") or {}),
                main,
                self._canary(deployments, used, region, api_id, stage),
                _access_log(stage),
            )
            regions[api_id] = region
        self._compiled = {k: v for k, v in self._compiled.items() if k in used}
        runtimes = {a: ApiRuntime(a, regions[a], s) for a, s in apis.items()}
        return Snapshot(version, runtimes, await _domains(store))

    def _deployment(
        self,
        docs: dict[tuple[str, str, str], Doc],
        used: set[tuple[str, str, str]],
        region: str,
        api_id: str,
        deployment_id: str | None,
    ) -> DeploymentRuntime | None:
        key = (region, api_id, deployment_id or "")
        doc = docs.get(key)
        if doc is None or "_snapshot" not in doc:
            return None
        used.add(key)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = compile_deployment(key[2], doc["_snapshot"])
        return compiled

    def _canary(
        self,
        docs: dict[tuple[str, str, str], Doc],
        used: set[tuple[str, str, str]],
        region: str,
        api_id: str,
        stage: Doc,
    ) -> CanaryRuntime | None:
        settings = stage.get("canarySettings")
        if not settings or not settings.get("deploymentId"):
            return None
        deployment = self._deployment(docs, used, region, api_id, settings["deploymentId"])
        if deployment is None:
            return None
        variables = {**(stage.get("variables") or {}), **(settings.get("stageVariableOverrides") or {})}
        return CanaryRuntime(deployment, float(settings.get("percentTraffic") or 0.0), variables)


def _access_log(stage: Doc) -> AccessLogFormat | None:
    settings = stage.get("accessLogSettings") or {}
    if not settings.get("format"):
        return None
    return compile_format(settings["format"], settings.get("destinationArn") or "")


async def _domains(store: Store) -> dict[str, DomainRuntime]:
    mappings: dict[str, dict[str, tuple[str, str | None]]] = {}
    for _region, domain, base_path, doc in await store.list_all("basepathmapping"):
        mappings.setdefault(domain.lower(), {})[base_path] = (doc.get("restApiId", ""), doc.get("stage"))
    out: dict[str, DomainRuntime] = {}
    for _region, _scope, name, _doc in await store.list_all("domainname"):
        out[name.lower()] = DomainRuntime(name.lower(), mappings.get(name.lower(), {}))
    return out
