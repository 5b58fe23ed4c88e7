"""Multi-value method request parameters (`method.request.multivaluequerystring.X`,
`method.request.multivalueheader.X`): declared on methods, mapped by integrations, imported, exported."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import pytest

from portico.controlplane.errors import BadRequestException
from portico.controlplane.integration_rules import check_request_parameters as check_mappings
from portico.controlplane.method_rules import check_request_parameters, request_parameter
from portico.importers.export import export
from portico.importers.openapi import ImportOptions, parse, to_api
from tests.unit.openapi_samples import SWAGGER

MULTI = {"method.request.multivaluequerystring.ids": True, "method.request.multivalueheader.x-tag": False}


def test_multi_value_locations_are_method_request_parameters():
    assert request_parameter("method.request.multivaluequerystring.ids") == ("multivaluequerystring", "ids")
    assert request_parameter("method.request.multivalueheader.x-tag") == ("multivalueheader", "x-tag")
    assert request_parameter("method.request.multivaluecookie.c") is None
    check_request_parameters({**MULTI, "method.request.path.id": True, "method.request.querystring.q": False})


@pytest.mark.parametrize(
    "params",
    [
        {"method.request.multivaluequerystring.ids": True, "method.request.querystring.ids": False},
        {"method.request.multivalueheader.ids": True, "method.request.multivaluequerystring.ids": True},
    ],
)
def test_a_name_is_declared_once(params: dict[str, bool]) -> None:
    with pytest.raises(BadRequestException) as exc:
        check_request_parameters(params)
    assert str(exc.value) == "Parameter names must be unique across querystring, header and path"


def test_malformed_multi_value_keys_are_refused() -> None:
    for key in ("method.request.multivaluequerystring.", "method.request.multivalue.x"):
        with pytest.raises(BadRequestException) as exc:
            check_request_parameters({key: True})
        assert str(exc.value).endswith(f"errors : [Invalid mapping expression specified: {key}]")


@pytest.mark.parametrize(
    "source",
    [
        "method.request.multivaluequerystring.ids",
        "method.request.querystring.ids",
        "method.request.multivalueheader.x-tag",
        "method.request.header.x-tag",
    ],
)
def test_integrations_map_declared_multi_value_parameters(source: str) -> None:
    check_mappings({"integration.request.querystring.out": source}, {"requestParameters": MULTI})


def test_integrations_still_need_a_declaration() -> None:
    method = {"requestParameters": {"method.request.querystring.q": True}}
    check_mappings({"integration.request.querystring.q": "method.request.multivaluequerystring.q"}, method)
    with pytest.raises(BadRequestException) as exc:
        check_mappings({"integration.request.header.h": "method.request.multivalueheader.q"}, method)
    assert "Invalid mapping expression parameter specified: method.request.multivalueheader.q" in str(
        exc.value
    )


def imported(definition: dict[str, Any]) -> dict[str, Any]:
    counter = itertools.count()
    parts, warnings = to_api(
        parse(json.dumps(definition).encode()),
        ImportOptions("api1", "root", new_id=lambda n: f"x{next(counter)}"),
    )
    assert [w.message for w in warnings] == []
    return parts


def test_import_maps_multi_value_sources_and_export_lists_multi_value_parameters() -> None:
    definition = copy.deepcopy(SWAGGER)
    integration = definition["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]
    integration["requestParameters"] = {
        "integration.request.querystring.type": "method.request.multivaluequerystring.type"
    }
    parts = imported(definition)
    pets = next(r for r in parts["_resources"].values() if r["path"] == "/pets")
    get = pets["resourceMethods"]["GET"]
    assert get["methodIntegration"]["requestParameters"] == integration["requestParameters"]
    get["requestParameters"] = {**MULTI, "method.request.querystring.type": False}
    get["methodIntegration"].pop("cacheKeyParameters", None)
    doc = export({"id": "api1", "name": "p"}, {"stageName": "dev"}, parts, "swagger", set(), "h")
    params = doc["paths"]["/pets"]["get"]["parameters"]
    assert {"name": "ids", "in": "query", "required": True, "type": "string"} in params
    assert {"name": "x-tag", "in": "header", "required": False, "type": "string"} in params
