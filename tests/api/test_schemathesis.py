"""Property-based API testing: schemathesis generates requests from our own
/openapi.json (valid and invalid ones) and checks that no answer is a 5xx and
that answers conform to the schema. Bounded so that it runs in seconds.

(Schemathesis' pytest plugin does not run under pytest 9 yet, so each operation's
strategy is driven with hypothesis' ``@given`` directly.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import auth, make_client, wait_ready

pytestmark = pytest.mark.slow  # generated requests for minutes: CI runs it, the fast loop does not

MAX_EXAMPLES = 40
SKIP = {"/updatez"}  # an admin action that downloads lists: tested in test_swap
# Every check but "valid data accepted": a query can fit the schema and still have no
# usable name (all punctuation, say), which is a 400 with a detail, by design.
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module")
def api_schema(sample_db: Path, keys: dict[str, str]) -> Iterator[Any]:
    with make_client(sample_db) as client:  # runs the lifespan: the index is built
        wait_ready(client.get)
        yield schemathesis.openapi.from_asgi("/openapi.json", client.app)


def operations(schema: Any) -> list[Any]:
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if op.path not in SKIP]


def run_operation(
    operation: Any, mode: GenerationMode, headers: dict[str, str], checks: Any
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=checks)

    try:
        check()
    except Unsatisfiable:
        # No invalid request can be made for an operation without parameters.
        assert mode == GenerationMode.NEGATIVE, operation.path


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_never_answers_5xx(api_schema: Any, keys: dict[str, str], mode: GenerationMode) -> None:
    ops = operations(api_schema)
    assert {"/match/{dataset}", "/search/{dataset}", "/entities/{entity_id}"} <= {
        op.path for op in ops
    }
    for operation in ops:
        run_operation(operation, mode, auth(keys["admin"]), [not_a_server_error])


def test_answers_conform_to_the_schema(api_schema: Any, keys: dict[str, str]) -> None:
    for operation in operations(api_schema):
        run_operation(operation, GenerationMode.POSITIVE, auth(keys["admin"]), CONFORMANCE)
