"""The W3C reconciliation service at /reconcile/{dataset}, driven as OpenRefine drives it:
manifest -> reconcile batch -> preview -> suggest, with the key in the URL or a header."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import auth

PUTIN = {
    "query": "Vladimir Putin",
    "type": "Person",
    "properties": [
        {"pid": "birthDate", "v": "1952-10-07"},
        {"pid": "Person:nationality", "v": {"id": "ru", "name": "Russia"}},
    ],
}


def relative(url: str) -> str:
    """An absolute URL of the manifest as the test client's path and query."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def reconcile(client: Any, key: str, queries: dict[str, Any], **params: Any) -> Any:
    """A batch as OpenRefine sends it: the form field ``queries``, the key in the URL."""
    params = {"api_key": key, **params}
    return client.post("/reconcile/default", params=params, data={"queries": json.dumps(queries)})


def test_spec_request_flow_manifest_reconcile_preview_suggest(
    client: Any, keys: dict[str, str]
) -> None:
    key = keys["screen"]
    manifest = client.get("/reconcile/default", params={"api_key": key})
    assert manifest.status_code == 200
    spec = manifest.json()
    assert "0.2" in spec["versions"] and spec["batchSize"] >= 1
    assert {t["id"] for t in spec["defaultTypes"]} >= {"Person", "Company", "Vessel"}
    assert spec["view"]["url"].endswith("/ui/entity/{{id}}")
    assert "api_key" not in spec["view"]["url"]  # the web pages have their own sign-in
    # the key travels on in the preview and suggest URLs (OpenRefine only has the URL)
    assert parse_qs(urlsplit(spec["preview"]["url"]).query)["api_key"] == [key]

    batch = {"q0": {**PUTIN, "limit": 0}, "q1": {"query": "Jane Ordinary-Plainname", "limit": 3}}
    answer = reconcile(client, key, batch)
    assert answer.status_code == 200 and set(answer.json()) == {"q0", "q1"}
    top = answer.json()["q0"]["result"][0]
    assert top["match"] is True and 70 <= top["score"] <= 100
    assert "PUTIN" in top["name"].upper() and top["type"][0]["id"] == "Person"
    assert {f["id"] for f in top["features"]} >= {"name", "birth_date", "country"}
    assert not any(c["match"] for c in answer.json()["q1"]["result"])

    preview = client.get(relative(spec["preview"]["url"].replace("{{id}}", top["id"])))
    assert preview.status_code == 200 and preview.headers["content-type"].startswith("text/html")
    assert "PUTIN" in preview.text and "1952-10-07" in preview.text
    assert "/ui/entity/" + top["id"] in preview.text
    assert "script-src" not in preview.headers["content-security-policy"]  # none at all
    assert preview.headers["referrer-policy"] == "no-referrer"

    suggest = spec["suggest"]
    for kind, prefix, wanted in (
        ("entity", "Putin", top["id"]),
        ("type", "Pers", "Person"),
        ("property", "birth", "birthDate"),
    ):
        url = relative(suggest[kind]["service_url"] + suggest[kind]["service_path"])
        found = client.get(f"{url}&prefix={prefix}")  # as jQuery adds it to a URL with a query
        assert found.status_code == 200, (kind, found.text)
        assert wanted in [r["id"] for r in found.json()["result"]], kind


def test_key_in_a_header_or_the_url_and_roles_as_match(client: Any, keys: dict[str, str]) -> None:
    queries = json.dumps({"q": {"query": "Vladimir Putin"}})
    by_header = client.post(
        "/reconcile/default", data={"queries": queries}, headers=auth(keys["screen"])
    )
    assert by_header.status_code == 200
    none = client.post("/reconcile/default", data={"queries": queries})
    assert none.status_code == 401 and "api_key" in none.json()["detail"]
    wrong = client.get("/reconcile/default", params={"api_key": "sk_not_a_key"})
    assert wrong.status_code == 401
    analyst = client.get("/reconcile/default", params={"api_key": keys["analyst"]})
    assert analyst.status_code == 403
    revoked = client.get(
        "/reconcile/default/preview", params={"api_key": keys["revoked"], "id": "x"}
    )
    assert revoked.status_code == 401
    # only the reconciliation routes take a key in the URL
    elsewhere = client.get("/catalog", params={"api_key": keys["screen"]})
    assert elsewhere.status_code == 401


def test_constraints_move_the_score_and_type_restricts_candidates(
    client: Any, keys: dict[str, str]
) -> None:
    other = {"query": "Vladimir Putin", "type": "Person"}
    contradicted = {**other, "properties": [{"pid": "birthDate", "v": "1980-01-01"}]}
    confirmed = {**other, "properties": [{"pid": "birthDate", "v": "1952-10-07T00:00:00Z"}]}
    vessel = {"query": "Vladimir Putin", "type": "Vessel"}
    batch = {"plain": other, "bad": contradicted, "good": confirmed, "vessel": vessel}
    data = reconcile(client, keys["screen"], batch).json()
    score = {k: data[k]["result"][0]["score"] if data[k]["result"] else 0.0 for k in batch}
    assert score["good"] > score["plain"] > score["bad"]
    assert all(c["type"][0]["id"] == "Vessel" for c in data["vessel"]["result"])


def test_values_the_matcher_cannot_use_are_reported_never_silently_dropped(
    client: Any, keys: dict[str, str]
) -> None:
    batch = {
        "land": {"query": "Vladimir Putin", "properties": [{"pid": "country", "v": "Atlantis"}]},
        "imo": {"query": "Fictional Voyager", "properties": [{"pid": "imoNumber", "v": "123"}]},
        "blank": {"query": "---"},
    }
    data = reconcile(client, keys["screen"], batch).json()
    assert "Atlantis" in " ".join(data["land"]["warnings"])
    assert "imoNumber '123'" in " ".join(data["imo"]["warnings"])
    assert data["blank"]["result"] == [] and "no usable name" in data["blank"]["warnings"][0]


@pytest.mark.parametrize(
    ("queries", "status", "words"),
    [
        ({"a": {"query": "Putin", "type": "Alien"}}, 400, "unknown type 'Alien'"),
        ({"a": {"query": "Putin", "properties": [{"pid": "shoeSize", "v": 9}]}}, 400, "shoeSize"),
        ({"a": {"query": "x" * 501}}, 400, "query a.query"),
        (
            {
                "a": {
                    "query": "Putin",
                    "properties": [{"pid": "alias", "v": [f"alias {n}" for n in range(30)]}],
                }
            },
            422,
            "names",
        ),
        ({f"q{n}": {"query": "Putin"} for n in range(101)}, 400, "Too many queries"),
        ({}, 400, "No queries"),
        ([1, 2], 400, "JSON object"),
    ],
)
def test_bad_batches_are_refused_whole_with_a_reason(
    client: Any, keys: dict[str, str], queries: Any, status: int, words: str
) -> None:
    response = reconcile(client, keys["screen"], queries)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


def test_json_bodies_get_queries_and_bad_requests(client: Any, keys: dict[str, str]) -> None:
    headers = auth(keys["screen"])
    batch = {"q": {"query": "Vladimir Putin"}}
    for body in (batch, {"queries": batch}):
        answer = client.post("/reconcile/default", json=body, headers=headers)
        assert answer.status_code == 200 and answer.json()["q"]["result"][0]["match"]
    by_get = client.get(
        "/reconcile/default", params={"queries": json.dumps(batch)}, headers=headers
    )
    assert by_get.json()["q"]["result"][0]["match"]
    for data, words in (({"queries": "{not json"}, "not valid JSON"), ({"extend": "{}"}, "extend")):
        refused = client.post("/reconcile/default", data=data, headers=headers)
        assert refused.status_code == 400 and words in refused.json()["detail"]
    unknown = client.get("/reconcile/no_such_list", headers=headers)
    assert unknown.status_code == 404 and "no_such_list" in unknown.json()["detail"]
    missing = client.get("/reconcile/default/preview", params={"id": "nope-1"}, headers=headers)
    assert missing.status_code == 404 and "nope-1" in missing.text


def test_every_batch_is_an_audited_screening_run(
    client: Any, keys: dict[str, str], sample_db: Path
) -> None:
    from sanctions.screening.evidence import find_run
    from sanctions.store import Store

    answer = reconcile(client, keys["screen"], {"a": PUTIN, "b": {"query": "---"}}, threshold=0.8)
    run = find_run(Store.open(sample_db).engine, answer.headers["x-screening-run"])
    assert run["kind"] == "api-reconcile" and run["rows"] == 2 and run["threshold"] == 0.8
    assert run["matched"] == 1 and run["errors"] == 1
    assert run["actor"].endswith("test-screen")


def test_preview_escapes_every_list_supplied_string() -> None:
    from sanctions.api.reconciliation import preview_html
    from sanctions.model import Entity, Listing, NameKind

    hostile = "<script>alert(1)</script>"
    entity = Entity(id="x-1", schema="Person", listing=Listing("us_ofac_sdn", "1"))
    entity.add_name(f"Evil {hostile}", NameKind.PRIMARY)
    entity.add_name('Alias "><img src=x onerror=alert(2)>', NameKind.ALIAS)
    entity.listing.programs.append(hostile)
    page = preview_html(entity, 'https://h/ui/entity/x-1"><script>')
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_keys_in_urls_are_masked_in_the_access_log() -> None:
    from sanctions.api.auth import QueryKeyFilter

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/reconcile/default/preview?id=a&api_key=sk_secret", "1.1", 200),
        None,
    )
    QueryKeyFilter().filter(record)
    assert "sk_secret" not in record.getMessage() and "api_key=***" in record.getMessage()


@pytest.mark.slow  # starts a server (CI runs it)
def test_a_real_server_masks_the_key_in_its_access_log(
    sample_db: Path, keys: dict[str, str], index_cache_dir: Path, tmp_path: Path
) -> None:
    """``sanctions serve --log-level info`` logs each request's path: never the key."""
    import os
    import subprocess

    import httpx

    from .conftest import SANCTIONS, free_port, wait_ready

    port = free_port()
    env = {**os.environ, "SANCTIONS_INDEX_CACHE": str(index_cache_dir)}
    command = [SANCTIONS, "--db", str(sample_db), "serve", "--port", str(port)]
    output = open(tmp_path / "server.log", "wb")  # a file: a pipe could fill and block it
    proc = subprocess.Popen(
        [*command, "--log-level", "info"], env=env, stdout=output, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(lambda path: httpx.get(base + path, timeout=2.0))
        answer = httpx.get(f"{base}/reconcile/default", params={"api_key": keys["screen"]})
        assert answer.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        output.close()
    log = (tmp_path / "server.log").read_text()
    assert "/reconcile/default?api_key=***" in log
    assert keys["screen"] not in log
