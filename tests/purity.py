"""Whether the tests run against the mypyc-compiled build (`make test-compiled`, setup.py)."""

import pytest

import portico.dataplane.invocation

COMPILED = not portico.dataplane.invocation.__file__.endswith(".py")

# For tests that stand in a fake for a compiled class or patch one: compiled code checks argument
# types and binds its calls at build time, so those tests are meaningful on pure Python only.
pure_python_only = pytest.mark.skipif(COMPILED, reason="uses a stand-in or a patch of a compiled class")
