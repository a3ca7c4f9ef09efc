"""Issue 16, findings 2 and 7 on the API: yente parity and the evidence of /match."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import auth
from .test_match import PUTIN, PUTIN_ID, match


def test_match_results_carry_features_matcher_and_full_properties(
    client: Any, keys: dict[str, str], sample_db: Path
) -> None:
    """Finding 7: `features` beside `explanations`, a top-level `matcher`, every property."""
    from sanctions.store import Store

    body = match(client, keys["screen"], {"queries": {"q": PUTIN}}).json()
    assert body["matcher"]["name"] == body["algorithm"]["name"]
    assert "name" in body["matcher"]["features"]
    top = body["responses"]["q"]["results"][0]
    assert top["id"] == PUTIN_ID
    assert top["features"]["name"] == top["explanations"]["name"]["score"]
    stored = Store.open(sample_db).get_entity(PUTIN_ID)
    assert stored is not None
    assert top["properties"] == {k: list(v) for k, v in stored.properties.items()}


def test_single_bad_query_still_fails_the_request(client: Any, keys: dict[str, str]) -> None:
    """When nothing at all can be screened, the request fails (a client never reads an
    error as 'no match')."""
    body = {"queries": {"only": {"schema": "Vessle", "properties": {"name": "x"}}}}
    response = match(client, keys["screen"], body)
    assert response.status_code == 400
    assert "'only'" in response.json()["detail"]


def test_unsupported_yente_routes_say_so_in_json(client: Any, keys: dict[str, str]) -> None:
    for method, path in (
        ("GET", f"/entities/{PUTIN_ID}/adjacent"),
        ("GET", f"/entities/{PUTIN_ID}/adjacent/sanctions"),
        ("GET", "/statements"),
    ):
        response = client.request(method, path, headers=auth(keys["screen"]))
        assert response.status_code == 404 and response.json()["unsupported"], path
        assert path in response.json()["detail"] and "Not supported" in response.json()["detail"]
    unknown = client.get("/no/such/route", headers=auth(keys["screen"]))
    assert unknown.status_code == 404
    assert "No such route: GET /no/such/route" in unknown.json()["detail"]


def test_raw_yente_shaped_batch_with_a_bad_query(client: Any, keys: dict[str, str]) -> None:
    """A raw request as an older yente client sends it (string values, algorithm name)."""
    body = {
        "queries": {
            "a": {"schema": "Person", "properties": {"name": "Vladimir Putin"}},
            "b": {"schema": "Person", "properties": {"name": "x" * 5000}},
        }
    }
    response = match(client, keys["screen"], body, algorithm="logic-v1", threshold=0.7)
    assert response.status_code == 200
    data = response.json()["responses"]
    assert data["a"]["status"] == 200 and data["a"]["results"][0]["id"] == PUTIN_ID
    assert data["b"]["status"] == 422 and "'b'" in data["b"]["detail"]


def test_every_match_request_is_an_audited_screening_run(
    client: Any, keys: dict[str, str], sample_db: Path
) -> None:
    """Finding 2 on the API: the batch's input hash, rows, versions, threshold, actor."""
    from sanctions.screening.evidence import find_run
    from sanctions.store import Store

    body = {"queries": {"q": PUTIN, "r": {"schema": "Company", "properties": {"name": "Acme"}}}}
    response = match(client, keys["screen"], body, threshold=0.8)
    run_id = response.json()["run_id"]
    assert response.headers["x-screening-run"] == run_id
    store = Store.open(sample_db)
    run = find_run(store.engine, run_id)
    assert run["kind"] == "api-match" and run["rows"] == 2 and run["threshold"] == 0.8
    assert run["actor"].startswith("api-key:") and run["actor"].endswith("test-screen")
    current = {d.id: d.current for d in store.datasets() if d.current}
    assert {k: v["content_hash"] for k, v in run["list_versions"].items()} == {
        k: v.content_hash for k, v in current.items()
    }
    assert run["algorithm"]["name"] == response.json()["algorithm"]["name"]
    again = find_run(store.engine, match(client, keys["screen"], body).json()["run_id"])
    other = match(client, keys["screen"], {"queries": {"q": PUTIN}}).json()["run_id"]
    assert again["input_sha256"] == run["input_sha256"]  # the hash is of the input
    assert find_run(store.engine, other)["input_sha256"] != run["input_sha256"]


@pytest.mark.slow  # starts a server (CI runs it)
def test_yente_client_reads_features_and_statuses(server: str, keys: dict[str, str]) -> None:
    """OpenSanctions' client (unchanged) accepts the richer response."""
    from yente_client import Client
    from yente_client.entities import Person
    from yente_client.exceptions import NotFoundError

    with Client(api_key=keys["screen"], base_url=server, app_name="parity") as yente:
        response = yente.match(Person(name=["Vladimir Putin"], birthDate=["1952-10-07"]))
    assert response.top is not None and response.top.id == PUTIN_ID
    with Client(api_key=keys["screen"], base_url=server) as yente:
        with pytest.raises(NotFoundError, match="Not supported by this server: GET /entities/"):
            yente.adjacent(PUTIN_ID)
    raw = httpx.post(
        f"{server}/match/default",
        json={"queries": {"q": PUTIN}},
        headers=auth(keys["screen"]),
    ).json()
    assert raw["responses"]["q"]["results"][0]["features"]
