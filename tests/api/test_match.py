"""POST /match: yente's request and response shapes, its parameters, and 400s with detail."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import auth

PUTIN = {"schema": "Person", "properties": {"name": ["Vladimir Putin"], "birthDate": "1952-10-07"}}
PUTIN_ID = "demo-us-ofac-35096"

# yente's documented /match response (the examples of yente/data/common.py and the
# /match docstring), written out by hand: every key and the JSON type of its value.
YENTE_MATCH_EXAMPLE: dict[str, Any] = {
    "responses": {
        "entity1": {
            "status": 200,
            "results": [
                {
                    "id": "NK-A7z....",
                    "caption": "John Doe",
                    "schema": "LegalEntity",
                    "properties": {"name": ["John Doe"]},
                    "datasets": ["us_ofac_sdn"],
                    "referents": ["ofac-1234"],
                    "target": False,
                    "first_seen": "2024-01-01T00:00:00",
                    "last_seen": "2024-01-01T00:00:00",
                    "last_change": "2024-01-01T00:00:00",
                    "score": 0.99,
                    "match": True,
                    "explanations": {
                        "name_literal_match": {
                            "detail": "Two names are exactly the same",
                            "score": 0.5,
                            "query": "John Doe",
                            "candidate": "John Doe",
                            "weight": 1.0,
                        }
                    },
                }
            ],
            "total": {"value": 42, "relation": "eq"},
            "query": {
                "id": "my-entity-id",
                "schema": "Person",
                "properties": {"name": ["John Doe"]},
            },
        }
    },
    "limit": 5,
}


def assert_same_shape(example: Any, ours: Any, where: str = "$") -> None:
    """Every key of the example is in ours, with a value of the same JSON type."""
    if isinstance(example, dict):
        assert isinstance(ours, dict), where
        if where.endswith(("responses", "explanations", "properties")):
            assert ours, f"{where} is empty"
            example = {next(iter(ours)): next(iter(example.values()))}
        for key, value in example.items():
            assert key in ours, f"{where}.{key} missing"
            assert_same_shape(value, ours[key], f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(ours, list), where
        if example and ours:
            assert_same_shape(example[0], ours[0], f"{where}[0]")
    elif isinstance(example, bool):
        assert isinstance(ours, bool), where
    elif isinstance(example, (int, float)):
        assert isinstance(ours, (int, float)) and not isinstance(ours, bool), where
    elif isinstance(example, str):
        assert ours is None or isinstance(ours, str), where


def match(
    client: Any, key: str, body: dict[str, Any], dataset: str = "default", **params: Any
) -> Any:
    return client.post(f"/match/{dataset}", json=body, params=params, headers=auth(key))


def test_match_response_has_yente_shape(client: Any, keys: dict[str, str]) -> None:
    response = match(client, keys["screen"], {"queries": {"entity1": PUTIN}})
    assert response.status_code == 200
    data = response.json()
    assert_same_shape(YENTE_MATCH_EXAMPLE, data)
    top = data["responses"]["entity1"]["results"][0]
    assert top["id"] == PUTIN_ID and top["match"] is True and top["score"] >= 0.9
    assert top["explanations"]["name"]["candidate"] == "PUTIN, Vladimir Vladimirovich"
    assert top["explanations"]["birth_date"]["score"] > 0
    assert data["responses"]["entity1"]["query"]["properties"]["birthDate"] == ["1952-10-07"]


def test_match_validates_with_yente_client_models(client: Any, keys: dict[str, str]) -> None:
    from yente_client._translation import unwrap_match_response
    from yente_client.models import MatchResponse

    data = match(client, keys["screen"], {"queries": {"q": PUTIN}}).json()
    parsed = MatchResponse.model_validate(unwrap_match_response(data))
    assert parsed.top is not None and parsed.top.id == PUTIN_ID
    assert parsed.top.first_seen is not None


def test_match_says_which_algorithm_ran(client: Any, keys: dict[str, str]) -> None:
    for name in ("best", "logic-v2", "name-based", "sanctions-match", "LOGIC-V1"):
        response = match(client, keys["screen"], {"queries": {"q": PUTIN}}, algorithm=name)
        assert response.status_code == 200, name
        assert response.json()["algorithm"]["name"] == "sanctions-match"
        assert response.json()["algorithm"]["requested"] == name
        assert response.headers["x-algorithm"].startswith("sanctions-match")


def test_batch_keys_come_back_with_their_results(client: Any, keys: dict[str, str]) -> None:
    body = {
        "queries": {
            "a": PUTIN,
            "b": {"schema": "Company", "properties": {"name": ["Nobody Such Trading Ltd"]}},
        }
    }
    data = match(client, keys["screen"], body).json()
    assert set(data["responses"]) == {"a", "b"}
    assert data["responses"]["a"]["results"][0]["id"] == PUTIN_ID
    assert all(not r["match"] for r in data["responses"]["b"]["results"])


def test_threshold_cutoff_and_limit(client: Any, keys: dict[str, str]) -> None:
    body = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}}}}
    strict = match(client, keys["screen"], body, threshold=0.999, cutoff=0.5).json()
    assert strict["responses"]["q"]["results"][0]["match"] is False
    only_matches = match(client, keys["screen"], body, threshold=0.999).json()["responses"]["q"]
    assert only_matches["results"] == []  # the cutoff defaults to the threshold, as in yente
    high = match(client, keys["screen"], body, cutoff=0.99, threshold=0.99).json()["responses"]["q"]
    assert all(r["score"] >= 0.99 for r in high["results"])
    none = match(client, keys["screen"], body, limit=0).json()["responses"]["q"]
    assert none["results"] == [] and none["total"]["value"] >= 1


def test_dataset_scope_and_exclusions(client: Any, keys: dict[str, str]) -> None:
    body = {"queries": {"q": PUTIN}}
    ours = match(client, keys["screen"], body, dataset="opensanctions").json()["responses"]["q"]
    assert ours["results"] and all(r["datasets"] == ["opensanctions"] for r in ours["results"])
    for params in (
        {"exclude_dataset": "opensanctions"},
        {"exclude_entity_ids": PUTIN_ID},
        {"exclude_schema": "Person"},
        {"include_dataset": "un_sc_sanctions"},
        {"changed_since": "2999-01-01"},
    ):
        results = match(client, keys["screen"], body, **params).json()["responses"]["q"]["results"]
        assert PUTIN_ID not in [r["id"] for r in results], params
    assert match(client, keys["screen"], body, dataset="sanctions").status_code == 200


@pytest.mark.parametrize(
    ("body", "params", "status", "detail"),
    [
        (
            {"queries": {"q": {"schema": "Persn", "properties": {"name": "x"}}}},
            {},
            400,
            "unknown schema",
        ),
        ({"queries": {}}, {}, 400, "No queries provided"),
        (
            {"queries": {f"q{i}": PUTIN for i in range(101)}},
            {},
            400,
            "Too many queries in one batch: 101 (limit: 100)",
        ),
        (
            {"queries": {"q": PUTIN}, "config": {"nm_number_mismatch": 0.4}},
            {},
            400,
            "configuration",
        ),
        ({"queries": {"q": PUTIN}, "weights": {"name_literal": 0.8}}, {}, 400, "weights"),
        ({"queries": {"q": PUTIN}}, {"algorithm": "regression-v9"}, 400, "Invalid algorithm"),
        ({"queries": {"q": {"schema": "Person", "properties": {}}}}, {}, 400, "no usable name"),
        ({"queries": {"q": PUTIN}}, {"limit": 501}, 422, "limit"),
        ({"queries": {"q": PUTIN}}, {"changed_since": "yesterday"}, 422, "changed_since"),
        ({"queries": {"q": {"properties": {}}}}, {}, 422, "schema"),
        ({"queries": "nope"}, {}, 422, "queries"),
    ],
)
def test_bad_requests_answer_with_a_detail(
    client: Any, keys: dict[str, str], body: Any, params: dict[str, Any], status: int, detail: str
) -> None:
    response = match(client, keys["screen"], body, **params)
    assert response.status_code == status
    assert isinstance(response.json()["detail"], str)
    assert detail in response.json()["detail"]


def test_one_bad_query_gets_its_own_status_and_the_rest_are_answered(
    client: Any, keys: dict[str, str]
) -> None:
    """Finding 7: one bad query no longer fails the whole batch."""
    body = {
        "queries": {"good": PUTIN, "customer-7": {"schema": "Vessle", "properties": {"name": "x"}}}
    }
    response = match(client, keys["screen"], body)
    assert response.status_code == 200
    responses = response.json()["responses"]
    assert list(responses) == ["good", "customer-7"]
    assert responses["good"]["status"] == 200 and responses["good"]["results"]
    bad = responses["customer-7"]
    assert bad["status"] == 400 and bad["results"] == []
    assert "'customer-7'" in bad["detail"] and "unknown schema" in bad["detail"]


def test_unknown_dataset_is_404(client: Any, keys: dict[str, str]) -> None:
    response = match(client, keys["screen"], {"queries": {"q": PUTIN}}, dataset="nope")
    assert response.status_code == 404
    assert "No such dataset" in response.json()["detail"]


def test_same_result_as_in_process_screening(
    client: Any, keys: dict[str, str], sample_db: Any
) -> None:
    """The HTTP layer adds no matching of its own: scores equal the screener's."""
    from sanctions.screening import Screener
    from sanctions.store import Store

    store = Store.open(sample_db)
    direct = Screener(store).screen(PUTIN, limit=5, cutoff=0.7)
    store.close()
    via_http = match(client, keys["screen"], {"queries": {"q": PUTIN}}).json()["responses"]["q"]
    assert [(r["id"], r["score"]) for r in via_http["results"]] == [
        (m.record.id, m.score.score) for m in direct.results
    ]


def test_dataset_filter_applies_before_scoring(client: Any, keys: dict[str, str]) -> None:
    """A filtered request returns the best in-scope results even when the unfiltered top
    results all come from another list (the filter is the matcher's scope, not a filter on
    the first results)."""
    kim = {"schema": "LegalEntity", "properties": {"name": ["Kim Jong Un"]}}
    body = {"queries": {"q": kim}}
    everything = match(client, keys["screen"], body, limit=500, cutoff=0.3).json()
    ranked = everything["responses"]["q"]["results"]
    datasets = {d for r in ranked for d in r["datasets"]}
    assert len(datasets) >= 2
    top = ranked[0]["datasets"][0]
    for dataset in sorted(datasets - {top}):
        scoped = match(
            client, keys["screen"], body, limit=1, cutoff=0.3, include_dataset=dataset
        ).json()["responses"]["q"]["results"]
        best = next(r for r in ranked if dataset in r["datasets"])
        assert [(r["id"], r["score"]) for r in scoped] == [(best["id"], best["score"])]
