"""JSONPath subset used by $input.path / $input.json (Jayway semantics)."""

from __future__ import annotations

import pytest

from portico.mapping import JsonPathError, compile_path, evaluate

PETS = {
    "pets": [
        {"id": 1, "type": "dog", "price": 249.99},
        {"id": 2, "type": "cat", "price": 124.99},
        {"id": 3, "type": "fish", "price": 0.99},
    ],
    "store": {"name": "Pet Store", "address": {"city": "Seattle", "zip": "98101"}},
    "odd key": True,
    "nothing": None,
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", PETS),
        ("$.store.name", "Pet Store"),
        ("$.store.address.city", "Seattle"),
        ("$['store']['name']", "Pet Store"),
        ('$["store"].address["zip"]', "98101"),
        ("$['odd key']", True),
        ("$.pets[0]", {"id": 1, "type": "dog", "price": 249.99}),
        ("$.pets[2].type", "fish"),
        ("$.pets[-1].id", 3),
        ("$.nothing", None),
        ("$.missing", None),
        ("$.store.missing.deeper", None),
        ("$.pets[7]", None),
        ("$.pets.type", None),
        (" $.store.name ", "Pet Store"),
    ],
)
def test_definite_paths_select_one_value(path: str, expected: object) -> None:
    assert evaluate(PETS, path) == expected
    assert compile_path(path).definite


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.pets[*].type", ["dog", "cat", "fish"]),
        ("$.pets[*]['id']", [1, 2, 3]),
        ("$..city", ["Seattle"]),
        ("$..id", [1, 2, 3]),
        ("$.store.*", ["Pet Store", {"city": "Seattle", "zip": "98101"}]),
        ("$.pets[0,2].type", ["dog", "fish"]),
        ("$.pets[1:].id", [2, 3]),
        ("$.pets[:2].id", [1, 2]),
        ("$.pets[-2:].id", [2, 3]),
        ("$.store['name','missing']", ["Pet Store"]),
        ("$.pets[*].missing", []),
        ("$..nope", []),
    ],
)
def test_indefinite_paths_select_a_list(path: str, expected: object) -> None:
    assert evaluate(PETS, path) == expected
    assert not compile_path(path).definite


def test_deep_scan_is_in_document_order() -> None:
    document = {"b": 1, "c": {"b": 2, "d": [{"b": 3}, {"x": {"b": 4}}]}, "e": {"b": 5}}
    assert evaluate(document, "$..b") == [1, 2, 3, 4, 5]
    assert evaluate(document, "$..d[0].b") == [3]
    assert evaluate(document, "$.c..b") == [2, 3, 4]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.pets[?(@.price < 100)].type", ["fish"]),
        ("$.pets[?(@.type == 'cat')].id", [2]),
        ('$.pets[?(@.type != "cat")].id', [1, 3]),
        ("$.pets[?(@.id >= 2 && @.price > 1)].type", ["cat"]),
        ("$.pets[?(@.id == 1 || @.type == 'fish')].id", [1, 3]),
        ("$.pets[?(@.type =~ /c.t/)].id", [2]),
        ("$.pets[?(@.type =~ /DOG/i)].id", [1]),
        ("$.pets[?(@.id == '1')].id", []),
        ("$.pets[?(@.color)].id", []),
        ("$.pets[?(@.price)].id", [1, 2, 3]),
        ("$.pets[?((@.id == 1))].type", ["dog"]),
    ],
)
def test_filters(path: str, expected: object) -> None:
    assert evaluate(PETS, path) == expected


def test_paths_on_scalars_and_arrays_at_the_root() -> None:
    assert evaluate([1, 2, 3], "$[1]") == 2
    assert evaluate([1, 2, 3], "$[*]") == [1, 2, 3]
    assert evaluate("text", "$.a") is None
    assert evaluate("text", "$") == "text"


@pytest.mark.parametrize(
    "path", ["", "pets", "$.", "$[", "$['a'", "$[a]", "$.pets[?(@.id ==)]", "$.a[1:2:0]", "$ x"]
)
def test_invalid_expressions_raise(path: str) -> None:
    with pytest.raises(JsonPathError):
        compile_path(path)


def test_compiled_paths_are_cached_and_reusable() -> None:
    first = compile_path("$.pets[*].id")
    assert compile_path("$.pets[*].id") is first
    assert first.select({"pets": [{"id": 9}]}) == [9]
    assert first.select(PETS) == [1, 2, 3]
