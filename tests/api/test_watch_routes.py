"""Continuous screening over HTTP, end to end on the fictional lists and customers of
tests/watch/fixtures: records added and imported over HTTP, re-screening, alerts,
decisions by an analyst key (403 for a screen key), a false positive kept quiet on the
next run, and the audit log (verify, export with the key as the actor)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest

from .conftest import auth, make_client, wait_ready

FIXTURES = Path(__file__).resolve().parents[1] / "watch" / "fixtures"
IMPORT = "/watch/import?schema_column=kind&filename=customers.csv"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A store with fixture list v1 loaded, keys of every role, and a client."""
    from sanctions.api import KeyStore
    from sanctions.store import Store

    db = tmp_path / "watch.db"
    store = Store.open(db)
    store.load(FIXTURES / "v1.jsonl", dataset="fixture")
    ks = KeyStore(store.engine)
    keys: dict[str, Any] = {}
    for role in ("screen", "analyst", "admin"):
        key, secret = ks.create(f"test-{role}", role, rate_limit=0)
        keys[role] = secret
        keys[f"{role}-id"] = key.id
    revoked, keys["revoked"] = ks.create("test-revoked", "admin", rate_limit=0)
    ks.revoke(str(revoked.id))
    with make_client(db) as client:
        wait_ready(client.get)
        yield {"client": client, "keys": keys, "store": store}
    store.close()


def call(env: dict[str, Any], role: str, method: str, path: str, **kwargs: Any) -> Any:
    headers = {**auth(env["keys"][role]), **kwargs.pop("headers", {})}
    return env["client"].request(method, path, headers=headers, **kwargs)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def import_customers(env: dict[str, Any], role: str = "screen") -> dict[str, Any]:
    body = (FIXTURES / "customers.csv").read_bytes()
    headers = {"Content-Type": "text/csv"}
    return ok(call(env, role, "POST", IMPORT, content=body, headers=headers))


def open_pairs(env: dict[str, Any]) -> dict[tuple[str, str], int]:
    page = ok(call(env, "screen", "GET", "/alerts?status=open"))
    return {(a["record_id"], a["entity_id"]): a["id"] for a in page["results"]}


def test_records_are_added_updated_listed_and_removed_over_http(env: dict[str, Any]) -> None:
    ftm = {"schema": "Person", "properties": {"name": ["Jane Doe"], "birthDate": "1980-02"}}
    added = ok(call(env, "screen", "PUT", "/watch/records/c-17", json=ftm))
    assert (added["change"], added["version"]) == ("added", 1)
    same = ok(call(env, "admin", "PUT", "/watch/records/c-17", json=ftm))
    assert same["change"] == "unchanged"
    cli_style = {"name": "Jane Doe", "birth_date": "1980-02-03", "country": ["ca"]}
    updated = ok(call(env, "screen", "PUT", "/watch/records/c-17", json=cli_style))
    assert (updated["change"], updated["version"]) == ("updated", 2)
    record = ok(call(env, "analyst", "GET", "/watch/records/c-17"))
    assert record["properties"] == {
        "birthDate": ["1980-02-03"],
        "name": ["Jane Doe"],
        "nationality": ["ca"],
    }
    report = import_customers(env)
    assert (report["added"], report["errors"], report["source"]) == (7, [], "customers.csv")
    page = ok(call(env, "analyst", "GET", "/watch/records?limit=3&offset=2"))
    assert page["total"] == 8 and [r["id"] for r in page["results"]] == ["c-2", "c-3", "c-4"]
    refused = call(env, "screen", "DELETE", "/watch/records/c-17?reason=left")
    assert refused.status_code == 403  # the payment systems' role cannot end monitoring
    removed = ok(call(env, "analyst", "DELETE", "/watch/records/c-17?reason=left"))
    assert removed["change"] == "removed"
    assert ok(call(env, "screen", "GET", "/watch/records"))["total"] == 7
    gone = ok(call(env, "screen", "GET", "/watch/records?status=removed"))["results"]
    assert [r["id"] for r in gone] == ["c-17"]


def test_rescreen_alert_decision_and_false_positive_kept_quiet(env: dict[str, Any]) -> None:
    import_customers(env)
    assert call(env, "screen", "POST", "/watch/rescreen").status_code == 403
    first = ok(call(env, "admin", "POST", "/watch/rescreen"))
    assert first["kind"] == "full" and first["raised"] == 4 and "run 1" in first["summary"]
    pairs = open_pairs(env)
    assert set(pairs) == {("c-1", "fw-1"), ("c-2", "fw-3"), ("c-6", "fw-2"), ("c-7", "fw-4")}
    alert_id = pairs[("c-2", "fw-3")]
    alert = ok(call(env, "analyst", "GET", f"/alerts/{alert_id}"))
    assert alert["explanation"][0]["feature"] == "name" and alert["decisions"] == []
    body = {"decision": "false_positive", "reason": "different birth date"}
    path = f"/alerts/{alert_id}/decision"
    refused = call(env, "screen", "POST", path, json=body)
    assert refused.status_code == 403 and "role 'screen'" in refused.json()["detail"]
    decided = ok(call(env, "analyst", "POST", path, json=body))
    analyst = f"api-key:{env['keys']['analyst-id']}:test-analyst"
    assert (decided["decision"], decided["analyst"]) == ("false_positive", analyst)
    env["store"].load(FIXTURES / "v2.jsonl", dataset="fixture")  # fw-3 unchanged
    delta = ok(call(env, "admin", "POST", "/watch/rescreen"))
    assert delta["kind"] == "delta"
    pairs = open_pairs(env)
    assert ("c-2", "fw-3") not in pairs and ("c-3", "fw-5") in pairs  # newly listed: alerted
    full = ok(call(env, "admin", "POST", "/watch/rescreen?full=true"))
    assert (full["raised"], full["closed"]) == (0, 0)
    assert ("c-2", "fw-3") not in open_pairs(env)
    shown = ok(call(env, "screen", "GET", f"/alerts/{alert_id}"))
    assert shown["status"] == "false_positive" and shown["decisions"][0]["analyst"] == analyst
    fps = ok(call(env, "screen", "GET", "/alerts?status=false_positive&record_id=c-2"))
    assert [a["id"] for a in fps["results"]] == [alert_id]


def test_decision_and_status_names_have_one_spelling_with_an_alias(env: dict[str, Any]) -> None:
    """Finding 3: false-positive (CLI spelling) is accepted by the API as false_positive."""
    import_customers(env)
    ok(call(env, "admin", "POST", "/watch/rescreen"))
    alert_id = open_pairs(env)[("c-2", "fw-3")]
    body = {"decision": "false-positive", "reason": "different birth date"}
    decided = ok(call(env, "analyst", "POST", f"/alerts/{alert_id}/decision", json=body))
    assert decided["decision"] == "false_positive"
    for spelling in ("false-positive", "false_positive"):
        page = ok(call(env, "screen", "GET", f"/alerts?status={spelling}"))
        assert page["status"] == "false_positive"
        assert [a["id"] for a in page["results"]] == [alert_id]
    cases = ok(call(env, "screen", "GET", "/alerts/cases?status=all"))["results"]
    assert sorted(c["record_id"] for c in cases) == sorted(
        {p[0] for p in open_pairs(env)} | {"c-2"}
    )
    case = ok(call(env, "screen", "GET", f"/alerts/{alert_id}"))["case"]
    assert case["customer"]["id"] == "c-2" and case["listed"]["id"] == "fw-3"
    assert {row["field"] for row in case["side_by_side"]} >= {"names", "list (as of)"}
    assert case["decisions"][0]["decision"] == "false_positive"


def test_import_reads_delimiter_and_date_format(env: dict[str, Any]) -> None:
    """Finding 4 over HTTP: the same reader as the CLI (sniffed ';', ambiguous dates)."""
    body = "id;name;dob\nk1;Jane Roe;10/07/1952\nk2;John Roe;1980\n"
    headers = {"Content-Type": "text/csv"}
    report = ok(call(env, "screen", "POST", "/watch/import", content=body, headers=headers))
    assert report["added"] == 1 and "line 2" in report["errors"][0]
    assert "ambiguous" in report["errors"][0]
    path = "/watch/import?date_format=DD/MM/YYYY"
    again = ok(call(env, "screen", "POST", path, content=body, headers=headers))
    assert again["errors"] == [] and again["added"] == 1
    record = ok(call(env, "screen", "GET", "/watch/records/k1"))
    assert record["properties"]["birthDate"] == ["1952-07-10"]
    bad = call(env, "screen", "POST", "/watch/import?date_format=nonsense", content=body)
    assert bad.status_code == 400 and "DD, MM and YYYY" in bad.json()["detail"]


def test_audit_verifies_and_exports_the_decision_with_the_key_as_actor(
    env: dict[str, Any],
) -> None:
    import_customers(env)
    ok(call(env, "admin", "POST", "/watch/rescreen"))
    alert_id = open_pairs(env)[("c-1", "fw-1")]
    body = {"decision": "escalated", "reason": "same birth date, check the passport"}
    ok(call(env, "admin", "POST", f"/alerts/{alert_id}/decision", json=body))
    assert call(env, "analyst", "GET", "/audit/verify").status_code == 403
    verified = ok(call(env, "admin", "GET", "/audit/verify"))
    assert verified["ok"] is True and verified["checked"] > 0 and "intact" in verified["summary"]
    exported = call(env, "admin", "GET", "/audit/export")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    entries = [json.loads(line) for line in exported.text.splitlines()]
    assert int(exported.headers["x-audit-entries"]) == len(entries) == verified["checked"]
    decided = [e for e in entries if e["action"] == "alert.decided"]
    admin = f"api-key:{env['keys']['admin-id']}:test-admin"
    assert len(decided) == 1 and decided[0]["actor"] == admin
    assert decided[0]["subject"] == f"alert:{alert_id}"
    imported = next(e for e in entries if e["action"] == "records.imported")
    assert imported["actor"] == f"api-key:{env['keys']['screen-id']}:test-screen"
    as_csv = call(env, "admin", "GET", "/audit/export?format=csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["actor"] for r in rows if r["action"] == "alert.decided"] == [admin]
    since = call(env, "admin", "GET", f"/audit/export?since={len(entries) - 1}")
    assert len(since.text.splitlines()) == 1


def test_bad_input_answers_4xx_with_a_clear_detail(env: dict[str, Any]) -> None:
    import_customers(env)
    ok(call(env, "admin", "POST", "/watch/rescreen"))
    decision = {"decision": "false_positive", "reason": "not them"}
    cases = [
        ("GET", "/alerts/999", {}, 404, "No alert 999"),
        ("POST", "/alerts/999/decision", {"json": decision}, 404, "No alert 999"),
        ("POST", "/alerts/1/decision", {"json": {"decision": "maybe", "reason": "x"}}, 422, ""),
        ("POST", "/alerts/1/decision", {"json": {"decision": "escalated"}}, 422, "reason"),
        ("POST", "/alerts/1/decision", {"json": {**decision, "reason": "  "}}, 400, "reason"),
        ("GET", "/alerts?status=nope", {}, 422, "status"),
        ("GET", "/watch/records/nobody", {}, 404, "No watched record 'nobody'"),
        ("DELETE", "/watch/records/nobody", {}, 404, "No watched record 'nobody'"),
        ("PUT", "/watch/records/x", {"json": {"properties": {"birthDate": ["1970"]}}}, 400, ""),
        ("PUT", "/watch/records/x", {"json": {"schema": "Persn", "name": "A B"}}, 400, "Persn"),
        ("PUT", "/watch/records/x", {"json": {"nme": "A B"}}, 422, "nme"),
        ("GET", "/audit/export?format=xml", {}, 422, "format"),
    ]
    for method, path, kwargs, status, text in cases:
        response = call(env, "admin", method, path, **kwargs)
        assert response.status_code == status, (method, path, response.text)
        assert text in response.json()["detail"], (path, response.json())


def test_bad_uploads_and_closed_alerts_are_refused(env: dict[str, Any]) -> None:
    headers = {"Content-Type": "text/csv"}
    for body, text in [
        (b"", "empty"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"full_name\nJane Doe\n", "the user's own id"),
    ]:
        response = call(env, "screen", "POST", "/watch/import", content=body, headers=headers)
        assert response.status_code == 400, response.text
        assert text in response.json()["detail"]
    bad_map = call(env, "screen", "POST", "/watch/import?column=oops", content=b"id\n1\n")
    assert bad_map.status_code == 400 and "PROP=COLUMN" in bad_map.json()["detail"]
    import_customers(env)
    ok(call(env, "admin", "POST", "/watch/rescreen"))
    alert_id = open_pairs(env)[("c-6", "fw-2")]
    ok(call(env, "analyst", "DELETE", "/watch/records/c-6?reason=account closed"))
    closed = ok(call(env, "screen", "GET", f"/alerts/{alert_id}"))
    assert closed["status"] == "closed" and "account closed" in closed["closed_reason"]
    body = {"decision": "true_match", "reason": "late"}
    response = call(env, "analyst", "POST", f"/alerts/{alert_id}/decision", json=body)
    assert response.status_code == 409 and "is closed" in response.json()["detail"]


def watch_routes() -> list[tuple[str, str, list[str]]]:
    from fastapi.routing import APIRoute

    from sanctions.api.routes import watch

    out = []
    for route in watch.router.routes:
        assert isinstance(route, APIRoute)
        roles = (route.openapi_extra or {}).get("x-roles")
        assert roles, f"{route.path} declares no roles"
        out += [(method, route.path, roles) for method in sorted(route.methods)]
    return out


def test_every_watch_route_checks_the_key_and_the_role(env: dict[str, Any]) -> None:
    client = env["client"]
    for method, template, roles in watch_routes():
        path = template.format(record_id="c-1", alert_id=1)
        assert client.request(method, path).status_code == 401, path
        assert call(env, "revoked", method, path).status_code == 401, path
        for role in ("screen", "analyst", "admin"):
            status = call(env, role, method, path).status_code
            if role in roles or role == "admin":
                assert status not in (401, 403), (role, method, path)
            else:
                assert status == 403, (role, method, path)


def test_role_table_is_the_documented_one() -> None:
    table = {(m, p): set(r) for m, p, r in watch_routes()}
    read = {"screen", "analyst", "admin"}
    assert table[("GET", "/watch/records")] == table[("GET", "/alerts")] == read
    assert table[("PUT", "/watch/records/{record_id}")] == table[("POST", "/watch/import")] == read
    assert table[("DELETE", "/watch/records/{record_id}")] == {"analyst", "admin"}
    assert table[("POST", "/alerts/{alert_id}/decision")] == {"analyst", "admin"}
    for route in [("POST", "/watch/rescreen"), ("GET", "/audit/verify"), ("GET", "/audit/export")]:
        assert table[route] == {"admin"}
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    for _, path in table:
        assert f"{path.split('{')[0].rstrip('/')}" in docs, path


def test_decision_values_are_the_library_ones() -> None:
    from sanctions.api.models import DecisionBody
    from sanctions.watch import DECISIONS

    literal = DecisionBody.model_fields["decision"].annotation
    assert set(get_args(literal)) == set(DECISIONS)


def test_routes_are_in_the_openapi_schema_with_examples(env: dict[str, Any]) -> None:
    schema = env["client"].get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/watch/records", "/watch/import", "/watch/rescreen", "/alerts/{alert_id}"):
        assert path in paths, path
    assert paths["/alerts/{alert_id}/decision"]["post"]["security"] == [{"ApiKey": []}]
    assert "text/csv" in paths["/watch/import"]["post"]["requestBody"]["content"]
    components = schema["components"]["schemas"]
    assert components["DecisionBody"]["examples"][0]["decision"] == "false_positive"
    assert components["RecordBody"]["examples"][0]["schema"] == "Person"


def test_every_operation_of_the_app_but_health_declares_roles(env: dict[str, Any]) -> None:
    # Read from the served schema: with this FastAPI, app.routes holds the included
    # routers, not their routes, so a walk over app.routes finds no APIRoute at all.
    schema = env["client"].get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path in ("/healthz", "/readyz"):
                continue
            assert operation.get("x-roles"), (method, path)
            # the key in the header everywhere; also in the URL only where clients cannot
            # send a header (the reconciliation routes), and then it is declared as such
            expected = [{"ApiKey": []}]
            if operation.get("x-key-in-query"):
                assert path.startswith("/reconcile/"), (method, path)
                expected.append({"ApiKeyQuery": []})
            assert operation["security"] == expected, (method, path)
