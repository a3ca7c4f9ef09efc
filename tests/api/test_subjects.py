"""``POST /match/{dataset}?group=subject``: one result per subject, the other listings the
query matched in ``subject``; per listing stays the default; a bad ``group`` is a 422."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.screening.subject_lists import BANK_QUERY, LISTS, save_three_lists

from .conftest import TestClient, wait_ready


@pytest.fixture(scope="module")
def subject_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Open on localhost (no key) over the three fictional lists, resolved."""
    from sanctions.api import ApiSettings, create_app
    from sanctions.store import Store

    path = tmp_path_factory.mktemp("api-subjects") / "lists.db"
    store = Store.open(path)
    save_three_lists(store)
    store.close()
    app = create_app(ApiSettings(db=str(path), open_localhost=True, poll_seconds=0.2))
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        wait_ready(client.get)
        yield client


def _match(client: Any, **params: Any) -> Any:
    body = {"queries": {"q": BANK_QUERY}}
    return client.post("/match/default", params=params, json=body)


def test_group_subject_answers_one_result_per_subject(subject_client: Any) -> None:
    listing = _match(subject_client, limit=20).json()
    assert listing["group"] == "listing"
    per_listing = listing["responses"]["q"]["results"]
    assert all("subject" not in r or r["subject"] is None for r in per_listing)
    response = _match(subject_client, limit=20, group="subject")
    assert response.status_code == 200
    data = response.json()
    assert data["group"] == "subject" and "subject_note" not in data
    results = data["responses"]["q"]["results"]
    bank = next(r for r in results if r["id"] in {f"{d}-{a}" for d, a in LISTS.items()})
    subject = bank["subject"]
    assert subject["lead"] == bank["id"] and subject["jurisdictions"] == ["EU", "UK", "US"]
    assert len(subject["listings"]) == 2
    assert all(x["score"] <= bank["score"] for x in subject["listings"])
    assert subject["listed_on"]["us_ofac_sdn"] == "2022-01-01"
    # never a listing dropped: the leads and their listings are the per-listing results
    grouped = {r["id"] for r in results} | {
        x["id"] for r in results for x in r["subject"]["listings"]
    }
    assert grouped == {r["id"] for r in per_listing}
    assert data["responses"]["q"]["total"]["value"] == len(results) < len(per_listing)


def test_group_subject_keeps_the_dataset_scope(subject_client: Any) -> None:
    data = _match(subject_client, limit=20, group="subject", include_dataset="eu_fsf").json()
    results = data["responses"]["q"]["results"]
    assert [r["id"] for r in results] == ["eu_fsf-EU.55.1"]
    assert results[0]["subject"]["listings"] == []  # out of scope: not answered
    assert results[0]["subject"]["jurisdictions"] == ["EU", "UK", "US"]  # the whole subject


@pytest.mark.parametrize("value", ["subjects", "entity", ""])
def test_unknown_group_is_a_422_naming_the_choices(subject_client: Any, value: str) -> None:
    response = _match(subject_client, group=value)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert f"Unknown group {value!r}" in detail and "listing, subject" in detail


def test_group_is_documented_in_openapi(subject_client: Any) -> None:
    spec = subject_client.get("/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/match/{dataset}"]["post"]["parameters"]}
    assert "subject" in params["group"]["description"]


def test_watch_alerts_over_http_carry_the_subjects_listings(subject_client: Any) -> None:
    put = subject_client.put("/watch/records/c-1", json=BANK_QUERY)
    assert put.status_code == 200, put.text
    run = subject_client.post("/watch/rescreen", params={"resolve": "true"})
    assert run.status_code == 200, run.text
    assert "resolved" not in run.json()["stats"]  # the clusters were current: no resolve
    alerts = subject_client.get("/alerts", params={"record_id": "c-1"}).json()["results"]
    banks = [a for a in alerts if len(a["listings"]) == 3]
    assert len(banks) == 1, alerts
    assert {x["jurisdiction"] for x in banks[0]["listings"]} == {"EU", "UK", "US"}
    assert banks[0]["subject_id"].startswith("c-")
