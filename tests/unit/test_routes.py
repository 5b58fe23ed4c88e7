from portico.compile.routes import build_trie, match, select_method, split_path


def resources(*paths: str) -> dict[str, dict]:
    out = {}
    for i, path in enumerate(paths):
        out[f"r{i}"] = {"id": f"r{i}", "path": path, "resourceMethods": {"GET": {}}}
    return out


TREE = build_trie(
    resources(
        "/", "/pets", "/pets/{petId}", "/pets/mine", "/pets/{petId}/toys", "/files/{proxy+}", "/{proxy+}"
    )
)


def m(path: str):
    found = match(TREE, split_path(path))
    return (found.resource_path, found.path_params) if found else None


def test_root_and_literals():
    assert m("/") == ("/", {})
    assert m("/pets") == ("/pets", {})


def test_literal_beats_parameter():
    assert m("/pets/mine") == ("/pets/mine", {})
    assert m("/pets/42") == ("/pets/{petId}", {"petId": "42"})


def test_parameter_then_child():
    assert m("/pets/42/toys") == ("/pets/{petId}/toys", {"petId": "42"})


def test_greedy_takes_the_rest():
    assert m("/files/a/b/c.txt") == ("/files/{proxy+}", {"proxy": "a/b/c.txt"})
    assert m("/other/deep/path") == ("/{proxy+}", {"proxy": "other/deep/path"})


def test_backtracks_to_greedy_when_specific_branch_fails():
    assert m("/pets/42/unknown") == ("/{proxy+}", {"proxy": "pets/42/unknown"})


def test_trailing_and_double_slashes_are_ignored_for_matching():
    assert m("/pets/") == ("/pets", {})
    assert m("//pets") == ("/pets", {})


def test_no_match_without_catch_all():
    tree = build_trie(resources("/", "/pets"))
    assert match(tree, split_path("/cats")) is None


def test_greedy_does_not_match_its_parent():
    tree = build_trie(resources("/", "/files/{proxy+}"))
    assert match(tree, split_path("/files")) is None


def test_method_selection_prefers_exact_over_any():
    assert select_method(frozenset({"GET", "ANY"}), "GET") == "GET"
    assert select_method(frozenset({"ANY"}), "DELETE") == "ANY"
    assert select_method(frozenset({"GET"}), "POST") is None
