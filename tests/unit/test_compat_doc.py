from pathlib import Path

from portico.compat import render
from portico.controlplane.spec import service_model

DOC = Path(__file__).resolve().parents[2] / "docs" / "compatibility.md"


def test_compatibility_doc_is_current() -> None:
    assert DOC.read_text() == render(), "run: .venv/bin/python -m portico.compat > docs/compatibility.md"


def test_every_apigateway_operation_is_listed() -> None:
    text = DOC.read_text()
    names = service_model("apigateway").operation_names
    assert len(names) == 124
    for name in names:
        assert f"| {name} |" in text
