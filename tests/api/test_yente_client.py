"""OpenSanctions' own client SDK (PyPI ``yente-client``), unchanged, against a real
``sanctions serve`` process on a loopback port."""

from __future__ import annotations

import pytest
from yente_client import Client
from yente_client.entities import Company, Person
from yente_client.exceptions import AuthenticationError, BadRequestError, NotFoundError

pytestmark = pytest.mark.slow  # a real server on real lists: CI runs it, the fast loop does not

PUTIN_ID = "demo-us-ofac-35096"


@pytest.fixture(scope="module")
def yente(server: str, keys: dict[str, str]) -> Client:
    with Client(api_key=keys["screen"], base_url=server, app_name="sanctions-tests") as client:
        yield client


def test_client_matches_a_person(yente: Client) -> None:
    response = yente.match(
        Person(name=["Vladimir Putin"], birthDate=["1952-10-07"], nationality=["ru"])
    )
    assert response.top is not None and response.top.id == PUTIN_ID
    assert response.top.match and response.top.score >= 0.9
    assert response.matches and response.total.value >= 1
    assert "name" in response.top.contributing_explanations
    assert response.query["properties"]["name"] == ["Vladimir Putin"]


def test_client_match_options_and_filters(yente: Client) -> None:
    person = Person(name=["Vladimir Putin"])
    only_un = yente.match(person, datasets=["un_sc_sanctions"], threshold=0.8, limit=3)
    assert all(r.datasets == ["un_sc_sanctions"] for r in only_un.results)
    excluded = yente.match(person, exclude_entities=[PUTIN_ID], algorithm="best")
    assert PUTIN_ID not in [r.id for r in excluded.results]
    company = yente.match(Company(name=["Nobody Such Trading Ltd"]))
    assert not company.matches


def test_client_match_iter_streams_a_batch(yente: Client) -> None:
    pairs = [
        (f"c{i}", Person(name=[name]))
        for i, name in enumerate(["Vladimir Putin", "Jane Q Public"] * 3)
    ]
    results = dict(yente.match_iter(pairs, workers=3))
    assert set(results) == {key for key, _ in pairs}
    assert results["c0"].top.id == PUTIN_ID  # type: ignore[union-attr]


def test_client_searches_and_fetches(yente: Client) -> None:
    found = yente.search("Putin", limit=5)
    assert found.results[0].id == PUTIN_ID and found.total.value >= 1
    assert yente.search("Putin", countries=["fr"]).results == []
    entity = yente.fetch(PUTIN_ID)
    assert entity.caption == "PUTIN, Vladimir Vladimirovich" and entity.datasets == [
        "opensanctions"
    ]
    with pytest.raises(NotFoundError):
        yente.fetch("us_ofac_sdn-does-not-exist")


def test_client_system_calls(yente: Client) -> None:
    assert yente.healthz().status == "ok" and yente.readyz().status == "ok"
    catalog = yente.datasets()
    assert {"default", "us_ofac_sdn"} <= {d.name for d in catalog.datasets}
    assert yente.algorithms().best == "sanctions-match"


def test_client_errors_map_to_its_exceptions(
    server: str, keys: dict[str, str], yente: Client
) -> None:
    with Client(base_url=server) as anonymous, pytest.raises(AuthenticationError) as exc:
        anonymous.match(Person(name=["Vladimir Putin"]))
    assert exc.value.status_code == 401
    with (
        Client(api_key=keys["revoked"], base_url=server) as revoked,
        pytest.raises(AuthenticationError),
    ):
        revoked.search("Putin")
    with pytest.raises(BadRequestError, match="Invalid algorithm"):
        yente.match(Person(name=["Vladimir Putin"]), algorithm="no-such-algorithm")
