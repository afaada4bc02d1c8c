"""schemathesis against /v1/openapi.json: generated requests, responses checked against it.

Every operation is called without a token (writes must answer a documented 401), and the
article writes that cannot reach the network (PATCH, DELETE) again with a valid token.
Creating from a URL is left to test_web_api.py: generated URLs would mean real fetches.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("schemathesis")

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from distill.config import load_settings  # noqa: E402
from distill.web.app import create_app  # noqa: E402

from .conftest import CORPUS  # noqa: E402
from .web_support import copy_library, make_token  # noqa: E402

if not CORPUS.is_dir():
    pytest.skip(f"corpus not found at {CORPUS}", allow_module_level=True)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 25  # per operation: enough to hit edge values, bounded for a shared 2-core CI


def _app():  # type: ignore[no-untyped-def]
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="distill-schema-")
    atexit.register(shutil.rmtree, folder, True)
    home = copy_library(Path(folder) / "library")  # the run's web library; writes stay here
    token = make_token(home)
    return create_app(load_settings(home).replace(embed=False)), token


APP, TOKEN = _app()
schema = schemathesis.openapi.from_asgi("/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_without_a_token(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(checks=CHECKS)


@schema.include(method=["PATCH", "DELETE"]).parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_article_writes_with_a_token(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {TOKEN}"})
