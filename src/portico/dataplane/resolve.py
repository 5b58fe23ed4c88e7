"""Which API and stage an invoke URL addresses (DESIGN.md §1: the accepted invoke URL forms)."""

from __future__ import annotations

from portico.wire import Request


class Target:
    """Which API, stage and resource path a request addresses. Built for every request: a plain
    class with its own `__init__` (wire.Request says why; a NamedTuple's `__new__` runs interpreted)."""

    __slots__ = ("api_id", "custom_domain", "domain_name", "domain_prefix", "path", "stage")

    def __init__(
        self,
        api_id: str,
        stage: str,
        path: str,  # the resource path part, still percent-encoded, starting with "/"
        domain_name: str,
        domain_prefix: str,
        custom_domain: bool = False,
    ) -> None:
        self.api_id = api_id
        self.stage = stage
        self.path = path
        self.domain_name = domain_name
        self.domain_prefix = domain_prefix
        self.custom_domain = custom_domain

    def _key(self) -> tuple[str, str, str, str, str, bool]:
        return (self.api_id, self.stage, self.path, self.domain_name, self.domain_prefix, self.custom_domain)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Target) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "Target({!r}, {!r}, {!r}, {!r}, {!r}, custom_domain={!r})".format(*self._key())


def resolve(request: Request) -> Target | None:
    host = request.host.partition(":")[0].lower()
    path = request.path
    marker = host.find(".execute-api.")
    if marker > 0:
        return _split_stage(host[:marker], path, host)
    if path.startswith("/_aws/execute-api/"):
        rest = path[len("/_aws/execute-api/") :]
        api_id, _, rest = rest.partition("/")
        return _split_stage(api_id, "/" + rest, host) if api_id else None
    if path.startswith("/restapis/") and "/_user_request_" in path:
        head, _, rest = path.partition("/_user_request_")
        parts = head.split("/")
        if len(parts) == 4:
            return Target(parts[2], parts[3], rest or "/", host, host.split(".", 1)[0])
    return None


def _split_stage(api_id: str, path: str, host: str) -> Target | None:
    stage, _, rest = path.lstrip("/").partition("/")
    return Target(api_id, stage, "/" + rest, host, host.partition(".")[0])


def resolve_custom_domain(host: str, path: str, mappings: dict[str, tuple[str, str | None]]) -> Target | None:
    """Custom domain names route by base path mapping (Developer Guide: "Custom domain names")."""
    first, _, rest = path.lstrip("/").partition("/")
    mapping = mappings.get(first) if first else None
    if mapping is not None:
        remaining = "/" + rest
    else:
        mapping = mappings.get("(none)")
        remaining = path or "/"
        if mapping is None:
            return None
    api_id, stage = mapping
    prefix = host.split(".", 1)[0]
    if stage:
        return Target(api_id, stage, remaining, host, prefix, custom_domain=True)
    stage_name, _, tail = remaining.lstrip("/").partition("/")
    return Target(api_id, stage_name, "/" + tail, host, prefix, custom_domain=True)
