"""The API over the real lists (the session-wide store of every real list): a UN-listed
person is found through /match, and the shapes validate with yente-client's models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import TestClient, wait_ready

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index_cache() -> Iterator[None]:
    """The shared index cache (as the other real-data tests use), not this package's."""
    yield None


@pytest.fixture(scope="module")
def real_client(real_store_path: Path) -> Iterator[Any]:
    """Open on localhost (no key): the shared store is only read, never written."""
    from sanctions.api import ApiSettings, create_app

    app = create_app(ApiSettings(db=str(real_store_path), open_localhost=True))
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        wait_ready(client.get, timeout=600)
        yield client


def test_real_un_person_is_matched_over_http(real_client: Any) -> None:
    from yente_client._translation import unwrap_match_response
    from yente_client.models import MatchResponse

    query = {
        "schema": "Person",
        "properties": {"name": ["Abdulhai Salek"], "nationality": ["af"]},
    }
    response = real_client.post("/match/default", json={"queries": {"q": query}})
    assert response.status_code == 200
    parsed = MatchResponse.model_validate(unwrap_match_response(response.json()))
    top = parsed.top
    assert top is not None and top.match
    un = [r for r in parsed.results if r.id.startswith("un_sc_sanctions-")]
    assert un and un[0].properties["unscId"][0].startswith("TAi.")


def test_real_catalog_and_search(real_client: Any) -> None:
    from yente_client.models import DatasetsResponse, SearchResponse

    catalog = DatasetsResponse.model_validate(real_client.get("/catalog").json())
    names = {d.name for d in catalog.datasets}
    assert {"un_sc_sanctions", "us_ofac_sdn", "default"} <= names
    sdn = real_client.get("/search/us_ofac_sdn", params={"q": "Bank Rossiya"}).json()
    found = SearchResponse.model_validate(sdn)
    assert found.results and all(r.datasets == ["us_ofac_sdn"] for r in found.results)
    assert any("ROSSIYA" in r.caption.upper() for r in found.results)


def test_real_reconciliation_flow_finds_listed_people_and_vessels(real_client: Any) -> None:
    """OpenRefine's flow on every real list: manifest, a batch with a person (type and
    nationality constraints) and a vessel known only by its IMO number, then preview."""
    import json

    manifest = real_client.get("/reconcile/default").json()
    snapshot = real_client.app.state.holder.snapshot
    vessel = next(
        r
        for r in snapshot.records
        if r.schema == "Vessel" and any(pool == "imo" for pool, _ in r.identifiers)
    )
    imo = next(value for pool, value in vessel.identifiers if pool == "imo")
    batch = {
        "un": {
            "query": "Abdulhai Salek",
            "type": "Person",
            "properties": [{"pid": "nationality", "v": "Afghanistan"}],
        },
        "ship": {
            "query": "Renamed Carrier",
            "type": "Vessel",
            "properties": [{"pid": "imoNumber", "v": f"IMO {imo}"}],
        },
    }
    answer = real_client.post("/reconcile/default", data={"queries": json.dumps(batch)})
    assert answer.status_code == 200
    un = answer.json()["un"]["result"]
    assert un[0]["match"] and any(c["id"].startswith("un_sc_sanctions-") for c in un)
    ship = answer.json()["ship"]["result"][0]
    assert ship["match"] and imo in {
        v for p, v in next(r for r in snapshot.records if r.id == ship["id"]).identifiers
    }
    url = manifest["preview"]["url"].replace("{{id}}", ship["id"]).split("testserver")[1]
    preview = real_client.get(url)
    assert preview.status_code == 200 and imo in preview.text
