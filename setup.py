"""Builds Portico. `PORTICO_COMPILE=1` compiles the request path with mypyc (DESIGN.md §4: measured
in bench/RESULTS.md); without it (the default, and `make`'s development install) all is pure Python."""

import os

from setuptools import setup

# The modules every request runs through: the listener, the REST pipeline, the MOCK/HTTP/Lambda
# integrations and the function host. Pure Python works the same; compiled, it is faster.
COMPILED = [
    "src/portico/wire.py",
    "src/portico/ids.py",
    "src/portico/app.py",
    "src/portico/compile/routes.py",
    "src/portico/compile/snapshot.py",
    "src/portico/compile/integration_kind.py",
    "src/portico/dataplane/connection.py",
    "src/portico/dataplane/http1.py",
    "src/portico/dataplane/handler.py",
    "src/portico/dataplane/pipeline.py",
    "src/portico/dataplane/invocation.py",
    "src/portico/dataplane/resolve.py",
    "src/portico/dataplane/validate.py",
    "src/portico/dataplane/integration_mapping.py",
    "src/portico/integrations/mock.py",
    "src/portico/integrations/http.py",
    "src/portico/integrations/http_headers.py",
    "src/portico/integrations/http_plan.py",
    "src/portico/integrations/upstream.py",
    "src/portico/integrations/upstream_connection.py",
    "src/portico/integrations/lambda_.py",
    "src/portico/mapping/events.py",
    "src/portico/functions/host.py",
    "src/portico/functions/pool.py",
    "src/portico/functions/instance.py",
    "src/portico/functions/runtime_api.py",
    "src/portico/functions/reports.py",
]


def ext_modules() -> list:
    if os.environ.get("PORTICO_COMPILE") != "1":
        return []
    from mypyc.build import mypycify  # build dependency of compiled builds only (Makefile: compiled)

    return mypycify(["--config-file", "pyproject.toml", *COMPILED], opt_level="3")


setup(ext_modules=ext_modules())
