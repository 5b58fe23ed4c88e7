"""AWS service integration targets and SigV4 signing (Developer Guide: "Set up AWS service integrations").

Pure functions, no I/O: the integration URI `arn:aws:apigateway:{region}:{subdomain.}{service}:action/{Action}`
or `...:path/{path}` → the service endpoint, request-target and signing scope; start-up options
(`SERVICE=URL` endpoints, `ROLE_ARN=KEY:SECRET[:TOKEN]` credentials) → values; and the SigV4
signature of an integration request, computed by botocore's signer with an injected clock.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from botocore.auth import SIGV4_TIMESTAMP, S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials
from botocore.loaders import Loader

Headers = list[tuple[str, str]]

PASS_THROUGH = "arn:aws:iam::*:user/*"  # "use the caller's credentials"
DEFAULT_ROLE = "*"  # the credentials entry used for roles not listed
SIGNING_HEADERS = frozenset({"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"})

_DNS_SUFFIX = {"aws-cn": "amazonaws.com.cn"}
_MODEL_NAMES = {
    "states": "stepfunctions",
    "monitoring": "cloudwatch",
    "email": "ses",
    "streams.dynamodb": "dynamodbstreams",
}
_CREDENTIALS = re.compile(r"^(?P<role>.+?)=(?P<key>[^:=\s]+):(?P<secret>[^:\s]+)(?::(?P<token>\S+))?$")


class TargetError(ValueError):
    """An integration URI that does not name an AWS service action or path."""


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """What an `arn:aws:apigateway:...` integration URI names.

    `path` and `query` still hold `{name}` placeholders (filled by `integration.request.path.*`
    mappings) and `${stageVariables.name}` references."""

    partition: str
    region: str
    service: str  # the signing name and endpoint prefix, e.g. "sqs", "s3", "sagemaker"
    subdomain: str  # e.g. "runtime" in `runtime.sagemaker`, "" when absent
    action: str  # the action name of the `action/` form, "" for the `path/` form
    path: str  # URL path, starting with "/"
    query: str  # query string (without "?"), e.g. "Action=SendMessage"

    @property
    def endpoint_key(self) -> str:
        return f"{self.subdomain}.{self.service}" if self.subdomain else self.service


@functools.lru_cache(maxsize=1024)
def parse_service_uri(uri: str) -> ServiceTarget:
    """`arn:aws:apigateway:{region}:{subdomain.service|service}:path|action/{service_api}` → target."""
    parts = uri.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "apigateway" or not parts[1].startswith("aws"):
        raise TargetError(f"AWS ARN for integration must contain path or action: {uri}")
    partition, region, service_part, api = parts[1], parts[3], parts[4], parts[5]
    subdomain, _, service = service_part.rpartition(".")
    kind, slash, rest = api.partition("/")
    if not region or not service or not slash or kind not in ("action", "path"):
        raise TargetError(f"AWS ARN for integration must contain path or action: {uri}")
    if kind == "path":
        path, _, query = rest.partition("?")
        path = path if path.startswith("/") else "/" + path
        return ServiceTarget(partition, region, service, subdomain, "", path, query)
    cut = min((i for i in (rest.find("&"), rest.find("?")) if i != -1), default=len(rest))
    action, extra = rest[:cut], rest[cut + 1 :].replace("?", "&")
    if not action:
        raise TargetError(f"AWS ARN for integration must contain path or action: {uri}")
    query = f"Action={action}&{extra}" if extra else f"Action={action}"
    return ServiceTarget(partition, region, service, subdomain, action, "/", query)


def endpoint_url(target: ServiceTarget, endpoints: Mapping[str, str]) -> tuple[str, str]:
    """(base URL `scheme://host[:port][/prefix]`, path prefix) of the service the target names.

    An endpoint configured for `subdomain.service` wins over one for `service`; with a
    service-wide override the subdomain is dropped, except for S3 where it becomes the first path
    segment (virtual-hosted bucket → path-style). Without an override: AWS's public endpoint."""
    override = endpoints.get(target.endpoint_key) if target.subdomain else None
    if override is not None:
        return override.rstrip("/"), ""
    override = endpoints.get(target.service)
    if override is not None:
        prefix = f"/{target.subdomain}" if target.subdomain and target.service == "s3" else ""
        return override.rstrip("/"), prefix
    suffix = _DNS_SUFFIX.get(target.partition, "amazonaws.com")
    return f"https://{target.endpoint_key}.{target.region}.{suffix}", ""


def parse_assignments(values: Iterable[str], what: str) -> dict[str, str]:
    """`NAME=VALUE` items (also comma-separated within one item) → dict; ValueError on a bad one."""
    out: dict[str, str] = {}
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            name, sep, rest = item.partition("=")
            if not sep or not name or not rest:
                raise ValueError(f"invalid {what} {item!r}: expected NAME=VALUE")
            out[name.strip()] = rest.strip()
    return out


def parse_endpoints(values: Iterable[str]) -> dict[str, str]:
    """`SERVICE=URL` items → {service: base URL}."""
    out = parse_assignments(values, "AWS endpoint")
    for service, url in out.items():
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"invalid AWS endpoint for {service}: {url!r} (expected http(s)://host[:port])")
    return out


def parse_credentials(values: Iterable[str]) -> dict[str, str]:
    """`ROLE_ARN=KEY:SECRET[:TOKEN]` items (ROLE_ARN may be `*`) → {role: "KEY:SECRET[:TOKEN]"}."""
    out: dict[str, str] = {}
    for value in values:
        for item in value.split(","):
            if not item.strip():
                continue
            found = _CREDENTIALS.match(item.strip())
            if found is None:
                raise ValueError(
                    f"invalid AWS credentials {item.strip()!r}: expected ROLE_ARN=KEY:SECRET[:TOKEN]"
                )
            out[found["role"]] = item.strip()[len(found["role"]) + 1 :]
    return out


def static_credentials(value: str) -> ReadOnlyCredentials:
    """`KEY:SECRET[:TOKEN]` → credentials."""
    key, _, rest = value.partition(":")
    secret, _, token = rest.partition(":")
    return ReadOnlyCredentials(key, secret, token or None)


@functools.cache
def json_protocol(service: str) -> tuple[str, str] | None:
    """(`targetPrefix`, `jsonVersion`) of a JSON-protocol service (from botocore's model), None otherwise.

    SQS is JSON in botocore's model but still answers its query protocol (`awsQueryCompatible`),
    which is what integrations sending `Action=...` form bodies use: None for it as well."""
    try:
        metadata = Loader().load_service_model(_MODEL_NAMES.get(service, service), "service-2")["metadata"]
    except Exception:
        return None
    if metadata.get("protocol") != "json" or "awsQueryCompatible" in metadata:
        return None
    prefix, version = metadata.get("targetPrefix"), metadata.get("jsonVersion") or "1.0"
    return (prefix, str(version)) if isinstance(prefix, str) else None


class _Clocked(SigV4Auth):
    """botocore's SigV4 signer with the signing time given instead of read from the clock."""

    timestamp = ""

    def add_auth(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self.timestamp
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        signature = self.signature(self.string_to_sign(request, canonical), request)
        self._inject_signature_to_request(request, signature)


class _ClockedSigner(_Clocked):
    pass


class _ClockedS3Signer(_Clocked, S3SigV4Auth):
    pass


def _signer_class(service: str) -> type[_Clocked]:
    return _ClockedS3Signer if service == "s3" else _ClockedSigner


def sign(
    method: str,
    url: str,
    headers: Headers,
    body: bytes,
    credentials: ReadOnlyCredentials,
    *,
    service: str,
    region: str,
    now: datetime.datetime,
) -> Headers:
    """`headers` plus SigV4 `Authorization`, `X-Amz-Date` (and `X-Amz-Security-Token`,
    `X-Amz-Content-SHA256` for S3). The host signed is the `Host` header if given, else the URL's."""
    request = AWSRequest(method=method, url=url, data=body)
    for name, value in headers:
        if name.lower() not in SIGNING_HEADERS:
            request.headers[name] = value  # appends: repeated headers stay repeated
    signer = _signer_class(service)(credentials, service, region)
    utc = now.replace(tzinfo=datetime.UTC) if now.tzinfo is None else now.astimezone(datetime.UTC)
    signer.timestamp = utc.strftime(SIGV4_TIMESTAMP)
    signer.add_auth(request)
    return [(str(k), str(v)) for k, v in request.headers.items()]
