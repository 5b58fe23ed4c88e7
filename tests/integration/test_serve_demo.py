"""The demo exactly as `make run` starts it (the Makefile's command, on port 0): every route answers."""

from __future__ import annotations

import shlex
from pathlib import Path

from tests.integration.serve_templates import Served, call

ROOT = Path(__file__).resolve().parents[2]


def make_run_arguments() -> list[str]:
    """The arguments of `portico serve` in the Makefile's `run` recipe."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    recipe = lines[lines.index(next(line for line in lines if line.startswith("run:"))) + 1]
    words = shlex.split(recipe.strip())
    assert words[:2] == ["$(BIN)/portico", "serve"], recipe
    return [str(ROOT / word) if (ROOT / word).is_file() else word for word in words[2:]]


def test_make_run_serves_the_demo(tmp_path: Path):
    arguments = make_run_arguments()
    assert arguments == [str(ROOT / "examples" / "demo" / "portico.yaml")]
    served = Served(tmp_path, *arguments)
    try:
        assert list(served.stages) == [("demo", "dev")]
        base = served.base("dev")
        assert base == served.url.replace("127.0.0.1", "localhost") + "/_aws/execute-api/demo/dev/"
        status, hello = call(base + "hello?name=Ann")
        assert status == 200
        assert (hello["message"], hello["function"]) == ("Hello, Ann!", "hello")
        assert call(base + "pets") == (
            200,
            [{"id": "1", "name": "Rex", "type": "dog"}, {"id": "2", "name": "Tom", "type": "cat"}],
        )
        status, nemo = call(base + "pets", "POST", {"name": "Nemo", "type": "fish"})
        assert status == 201 and nemo["name"] == "Nemo" and nemo["type"] == "fish"
        assert call(base + f"pets/{nemo['id']}") == (200, nemo)
        assert call(base + "pets/1", "PUT", {"name": "Rexy"}) == (
            200,
            {"id": "1", "name": "Rexy", "type": "dog"},
        )
        assert call(base + "pets/2", "DELETE") == (204, None)
        assert call(base + "pets/2") == (404, {"message": "no pet 2"})
        assert [p["name"] for p in call(base + "pets")[1]] == ["Rexy", "Nemo"]
        assert call(base + "pets", "POST", {"type": "cat"}) == (400, {"message": 'a pet needs a "name"'})
        status, info = call(base + "info")
        assert status == 200
        assert (info["api"], info["stage"], info["path"], info["sourceIp"]) == (
            "demo",
            "dev",
            "/info",
            "127.0.0.1",
        )
        assert call(base + "status") == (200, {"status": "ok", "store": "sqlite"})
    finally:
        served.stop()
    assert not served.warnings()
