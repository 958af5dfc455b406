"""A bounded schemathesis run over the whole OpenAPI schema: no 5xx for any input, and the
bodies of documented responses conform to their schemas.

Three passes per operation: everything generated (mostly unknown ids: 404s and 422s); then with
the path naming real objects (a region, technician, visit, finished job and plan), so that
generated bodies and queries reach the services; then inputs that break the schema (no 5xx
only). Solves stay instant: generated days have no visits. Runs as an admin.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api import dispatch_support as support
from tests.api.dispatch_support import World, plan_and_publish, wait_for

api_template, world = support.api_template, support.world  # fixtures
# Per operation and pass: 40 operations x 2 passes stay well under a minute. A deeper, random
# run: PURNA_FUZZ_EXAMPLES=200 .venv/bin/pytest -n 0 tests/api/test_schema_fuzz.py
EXAMPLES = int(os.environ.get("PURNA_FUZZ_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _known_ids(world: World) -> dict[str, Any]:
    """Path parameters naming real objects: a finished job and a published plan included."""
    plan_id = plan_and_publish(world)
    job = world.post("admin", f"/v1/regions/{world.region_a.code}/days/2030-01-01/plans").json()
    url = f"/v1/solve-jobs/{job['id']}"
    wait_for(lambda: world.get("admin", url).json()["status"] not in ("queued", "running"))
    return {
        "region": world.region_a.code,
        "technician_id": world.techs_a[0].id,
        "visit_id": world.visits_a[0].id,
        "job_id": job["id"],
        "plan_id": plan_id,
    }


def test_schema_fuzz_no_server_errors_and_conforming_responses(world: World) -> None:
    """Every operation, generated inputs: never a 5xx; documented responses match the schema."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    known = _known_ids(world)
    headers = world.auth("admin")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        pinned = {k: v for k, v in known.items() if k in names}
        _fuzz(operation.as_strategy(), headers, CHECKS, EXAMPLES // 2 if pinned else EXAMPLES)
        if pinned:  # mostly 404s without: the deeper pass gets the examples
            _fuzz(operation.as_strategy(path_parameters=pinned), headers, CHECKS, EXAMPLES)
        negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        with contextlib.suppress(Unsatisfiable):  # nothing to break in an operation without input
            _fuzz(negative, headers, [not_a_server_error], EXAMPLES // 2)


def _fuzz(
    strategy: st.SearchStrategy[Any], headers: dict[str, str], checks: list[Any], examples: int
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize="PURNA_FUZZ_EXAMPLES" not in os.environ,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path, response.text)
        case.validate_response(response, checks=checks, headers=headers)

    run()
