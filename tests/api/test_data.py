"""GET /search, /entities, /catalog, /algorithms, /healthz, /readyz: shapes and behaviour."""

from __future__ import annotations

from typing import Any

from .conftest import auth

PUTIN_ID = "demo-us-ofac-35096"


def get(client: Any, key: str, path: str, **params: Any) -> Any:
    return client.get(path, params=params, headers=auth(key))


def test_search_finds_by_name_with_yente_shape(client: Any, keys: dict[str, str]) -> None:
    from yente_client.models import SearchResponse

    response = get(client, keys["analyst"], "/search/default", q="Putin")
    assert response.status_code == 200
    data = SearchResponse.model_validate(response.json())
    assert data.results[0].id == PUTIN_ID
    assert data.total.value == len(data.results) and data.offset == 0 and data.limit == 10
    assert {"datasets", "countries", "schema"} <= set(data.facets)


def test_search_filters_and_pages(client: Any, keys: dict[str, str]) -> None:
    key = keys["screen"]
    everything = get(client, key, "/search/default", limit=500).json()
    assert everything["total"]["value"] == len(everything["results"]) > 20
    page = get(client, key, "/search/default", limit=5, offset=5).json()
    assert [r["id"] for r in page["results"]] == [r["id"] for r in everything["results"][5:10]]
    vessels = get(client, key, "/search/default", schema="Vessel", limit=500).json()["results"]
    assert vessels and all(r["schema"] == "Vessel" for r in vessels)
    legal = get(client, key, "/search/default", schema="LegalEntity", limit=500).json()["results"]
    assert {"Person", "Organization"} <= {r["schema"] for r in legal}
    assert "Vessel" not in {r["schema"] for r in legal}
    russian = get(client, key, "/search/default", q="Putin", countries="ru").json()
    assert russian["results"][0]["id"] == PUTIN_ID
    assert get(client, key, "/search/default", q="Putin", countries="fr").json()["results"] == []
    un_only = get(client, key, "/search/un_sc_sanctions", limit=500).json()["results"]
    assert un_only and all(r["datasets"] == ["un_sc_sanctions"] for r in un_only)


def test_search_finds_by_identifier(client: Any, keys: dict[str, str]) -> None:
    """A UN reference and a BIC (head office, XXX and a branch) find their entries by
    identifier alone; a value that is not a valid identifier of the type finds nothing."""
    key = keys["screen"]
    for q, prop, value in (
        ("qdi 901", "unscId", "QDi.901"),
        ("FICTXX22", "swiftBic", "FICTXX22"),
        ("FICTXX22XXX", "swiftBic", "FICTXX22"),
        ("FICTXX22123", "swiftBic", "FICTXX22"),
    ):
        results = get(client, key, "/search/default", q=q).json()["results"]
        assert results and value in results[0]["properties"].get(prop, []), q
        assert results[0]["score"] >= 0.75
    assert get(client, key, "/search/default", q="FICTXX23").json()["results"] == []


def test_search_errors(client: Any, keys: dict[str, str]) -> None:
    bad_schema = get(client, keys["screen"], "/search/default", q="x", schema="Persn")
    assert bad_schema.status_code == 400 and "Invalid schema" in bad_schema.json()["detail"]
    assert get(client, keys["screen"], "/search/nowhere", q="x").status_code == 404
    punctuation = get(client, keys["screen"], "/search/default", q="!!!")
    assert punctuation.status_code == 200 and punctuation.json()["results"] == []


def test_entity_has_listing_provenance_and_history(client: Any, keys: dict[str, str]) -> None:
    from yente_client.models import Entity

    response = get(client, keys["analyst"], f"/entities/{PUTIN_ID}")
    assert response.status_code == 200
    data = response.json()
    assert Entity.model_validate(data).caption == "PUTIN, Vladimir Vladimirovich"
    assert data["listing"]["dataset"] == "opensanctions"
    assert data["listing"]["dataset_version"].startswith("opensanctions@v1")
    assert any(n["kind"] == "primary" for n in data["names"])
    assert data["history"][0]["change"] == "added"
    assert data["first_seen"] is not None


def test_unknown_and_delisted_entities_are_404_with_a_reason(
    client: Any, keys: dict[str, str], sample_db: Any
) -> None:
    from sanctions.store import Store

    store = Store.open(sample_db)
    removed = [c for c in store.diff("us_ofac_sdn").changes if c.change == "removed"]
    store.close()
    missing = get(client, keys["screen"], "/entities/us_ofac_sdn-nope")
    assert missing.status_code == 404 and "No such entity" in missing.json()["detail"]
    if removed:
        gone = get(client, keys["screen"], f"/entities/{removed[0].entity_id}")
        assert gone.status_code == 404 and "no longer listed" in gone.json()["detail"]


def test_catalog_lists_datasets_versions_and_collections(client: Any, keys: dict[str, str]) -> None:
    from yente_client.models import DatasetsResponse

    data = get(client, keys["analyst"], "/catalog").json()
    parsed = DatasetsResponse.model_validate(data)
    by_name = {d.name: d for d in parsed.datasets}
    assert {"default", "sanctions", "us_ofac_sdn", "un_sc_sanctions"} <= set(by_name)
    sdn = next(d for d in data["datasets"] if d["name"] == "us_ofac_sdn")
    assert sdn["version"].startswith("v2-") and sdn["version_count"] == 2
    assert sdn["index_current"] is True and sdn["entity_count"] > 0
    assert "us_ofac_sdn" in by_name["default"].children
    assert parsed.index_stale is False and "us_ofac_sdn" in parsed.current


def test_algorithms_name_ours_as_default_and_best(client: Any, keys: dict[str, str]) -> None:
    from yente_client.models import AlgorithmsResponse

    data = AlgorithmsResponse.model_validate(get(client, keys["screen"], "/algorithms").json())
    assert data.default == data.best == "sanctions-match"
    assert data.algorithms[0].docs and "name" in data.algorithms[0].docs


def test_health_and_readiness(client: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ok" and ready["records"] > 20


def test_errors_have_one_shape(client: Any, keys: dict[str, str]) -> None:
    for response in (
        client.get("/nowhere"),
        client.get("/catalog"),
        get(client, keys["screen"], "/search/default", limit=-1),
        get(client, keys["screen"], "/entities/x"),
    ):
        assert response.status_code >= 400
        assert isinstance(response.json()["detail"], str)


def test_openapi_documents_security_roles_and_examples(client: Any) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["ApiKey"]["name"] == "Authorization"
    operation = schema["paths"]["/match/{dataset}"]["post"]
    assert operation["security"] == [{"ApiKey": []}]
    assert operation["x-roles"] == ["screen", "admin"]
    assert {"401", "403", "429", "400"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]
    assert "examples" in body
