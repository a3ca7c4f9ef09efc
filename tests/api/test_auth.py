"""Every route that needs a key refuses without one, and with a wrong, revoked or
wrong-role key; rate limits answer 429 with Retry-After; bodies have a size limit."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import auth, make_client, wait_ready

MATCH_BODY = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}}}}
PATH_VALUES = {
    "dataset": "default",
    "entity_id": "demo-us-ofac-35096",
    "record_id": "C-404",
    "alert_id": "404",
    "kind": "type",
}
OPEN_PATHS = {"/healthz", "/readyz", "/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"}


def guarded_routes() -> list[tuple[str, str, list[str]]]:
    """(method, path template, roles) of every route declaring roles, from the app itself."""
    from fastapi.routing import APIRoute

    from sanctions.api.routes import data, match, payments, reconciliation, system, watch

    out = []
    routers = (match.router, data.router, system.router, watch.router, payments.router)
    for router in (*routers, reconciliation.router):
        for route in router.routes:
            assert isinstance(route, APIRoute)
            roles = (route.openapi_extra or {}).get("x-roles")
            if roles:
                out += [(method, route.path, roles) for method in sorted(route.methods)]
    return out


ROUTES = guarded_routes()


def call(client: Any, method: str, template: str, headers: dict[str, str] | None = None) -> Any:
    path = template.replace("{entity_id:path}", "{entity_id}").format(**PATH_VALUES)
    if method == "POST" and path.startswith("/match"):
        return client.post(path, json=MATCH_BODY, headers=headers or {})
    if method == "POST" and path.startswith("/screen/"):
        body = {"text": "Vladimir Putin"} if path.endswith("text") else {"messages": ["x"]}
        return client.post(path, json=body, headers=headers or {})
    if method == "POST" and path.startswith("/reconcile/"):
        body = {"queries": '{"q": {"query": "Vladimir Putin"}}'}
        return client.post(path, data=body, headers=headers or {})
    if path.endswith("/preview"):
        path += f"?id={PATH_VALUES['entity_id']}"
    return client.request(method, path, headers=headers or {})


def test_every_route_but_health_and_schema_is_guarded(client: Any) -> None:
    """Read from the app's own schema, so that a new route cannot escape the checks."""
    operations = [
        (method.upper(), path, op)
        for path, item in client.app.openapi()["paths"].items()
        for method, op in item.items()
        if path not in OPEN_PATHS
    ]
    assert len(operations) >= 15  # match, search, entities, catalog, ..., watch, alerts, audit
    unguarded = [(m, p) for m, p, op in operations if not op.get("x-roles")]
    assert not unguarded, f"routes without roles: {unguarded}"
    tested = {(m, p.replace(":path}", "}")) for m, p, _ in ROUTES}
    untested = [(m, p) for m, p, _ in operations if (m, p) not in tested]
    assert not untested, f"routes the auth matrix does not call: {untested}"


@pytest.mark.parametrize(("method", "path", "roles"), ROUTES)
def test_route_refuses_without_a_key(client: Any, method: str, path: str, roles: list[str]) -> None:
    response = call(client, method, path)
    assert response.status_code == 401
    assert "API key is required" in response.json()["detail"]
    assert response.headers["WWW-Authenticate"] == "ApiKey"


@pytest.mark.parametrize(("method", "path", "roles"), ROUTES)
def test_route_refuses_an_unknown_key(
    client: Any, method: str, path: str, roles: list[str]
) -> None:
    response = call(client, method, path, auth("sk_not-a-real-key"))
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked API key."}


@pytest.mark.parametrize(("method", "path", "roles"), ROUTES)
def test_route_refuses_a_revoked_key(
    client: Any, keys: dict[str, str], method: str, path: str, roles: list[str]
) -> None:
    response = call(client, method, path, auth(keys["revoked"]))
    assert response.status_code == 401


RESTRICTED = [r for r in ROUTES if not {"screen", "analyst"} <= set(r[2])]


@pytest.mark.parametrize(("method", "path", "roles"), RESTRICTED)
def test_route_refuses_a_key_of_another_role(
    client: Any, keys: dict[str, str], method: str, path: str, roles: list[str]
) -> None:
    for role in [r for r in ("screen", "analyst") if r not in roles]:
        response = call(client, method, path, auth(keys[role]))
        assert response.status_code == 403, role
        assert f"role {role!r} may not use this route" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "roles"), [r for r in ROUTES if r[1] != "/updatez"])
def test_route_accepts_each_allowed_role(
    client: Any, keys: dict[str, str], method: str, path: str, roles: list[str]
) -> None:
    for role in {*roles, "admin"}:
        status = call(client, method, path, auth(keys[role])).status_code
        if path.startswith(("/watch", "/alerts")):
            # Past the key check: what is left is about the (empty) body or unknown id.
            assert status not in (401, 403) and status < 500, (role, status)
        else:
            assert status == 200, role


def test_wrong_role_matrix(client: Any, keys: dict[str, str]) -> None:
    assert call(client, "POST", "/match/{dataset}", auth(keys["analyst"])).status_code == 403
    assert call(client, "POST", "/updatez", auth(keys["screen"])).status_code == 403
    assert call(client, "GET", "/search/{dataset}", auth(keys["analyst"])).status_code == 200


def test_bearer_scheme_works_and_malformed_headers_are_401(
    client: Any, keys: dict[str, str]
) -> None:
    ok = client.get("/catalog", headers={"Authorization": f"Bearer {keys['screen']}"})
    assert ok.status_code == 200
    for header in ("Basic abc", "ApiKey", keys["screen"]):
        response = client.get("/catalog", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["detail"]


def test_auth_is_checked_before_the_body(client: Any) -> None:
    response = client.post(
        "/match/default", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401


def test_health_and_schema_need_no_key(client: Any) -> None:
    for path in ("/healthz", "/readyz", "/openapi.json"):
        assert client.get(path).status_code == 200, path


def test_rate_limit_answers_429_with_retry_after(
    client: Any, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    # A clock the test moves (restored afterwards): no waiting for real time to pass.
    monkeypatch.setattr(client.app.state.guard.limiter, "clock", lambda: now[0])
    statuses = [client.get("/catalog", headers=auth(keys["slow"])) for _ in range(4)]
    codes = [r.status_code for r in statuses]
    assert codes[0] == 200 and 429 in codes
    limited = statuses[codes.index(429)]
    assert int(limited.headers["Retry-After"]) >= 1
    assert "Rate limit exceeded" in limited.json()["detail"]
    now[0] += 1.1  # the key's 1 request/s has refilled one token
    assert client.get("/catalog", headers=auth(keys["slow"])).status_code == 200
    assert client.get("/catalog", headers=auth(keys["slow"])).status_code == 429


def test_body_over_the_limit_is_413(sample_db: Any, keys: dict[str, str]) -> None:
    with make_client(sample_db, max_body_bytes=1000) as small:
        wait_ready(small.get)
        big = {"queries": {"q": {"schema": "Person", "properties": {"name": ["x" * 2000]}}}}
        response = small.post("/match/default", json=big, headers=auth(keys["screen"]))
        assert response.status_code == 413
        assert "too large" in response.json()["detail"]


def test_open_localhost_mode_lets_local_callers_in_without_a_key(sample_db: Any) -> None:
    from sanctions.api import ApiSettings, create_app

    from .conftest import TestClient

    app = create_app(ApiSettings(db=str(sample_db), open_localhost=True))
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        wait_ready(local.get)
        assert local.get("/catalog").status_code == 200
        assert local.get("/catalog", headers=auth("sk_wrong")).status_code == 401
    with TestClient(app, client=("10.1.2.3", 50000)) as remote:
        assert remote.get("/catalog").status_code == 401


def test_open_localhost_is_off_by_default(client: Any) -> None:
    assert client.app.state.settings.open_localhost is False
    assert client.app.state.settings.cors_origins == []


def test_rate_limiter_forgets_idle_buckets_when_many_addresses_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sanctions.api import limits as limits_module

    monkeypatch.setattr(limits_module, "MAX_BUCKETS", 3)
    now = [0.0]
    limiter = limits_module.RateLimiter(1.0, 2.0, clock=lambda: now[0])
    for address in ("a", "b", "c"):
        assert limiter.take(address) == 0.0
    limiter.take("c", cost=2.0)  # "c" is now empty and recent
    now[0] = 10.0  # a and b had time to fill up again; c took its last token at 0
    limiter.take("c")
    limiter.take("d")  # a fourth address: the idle, full buckets are forgotten
    assert set(limiter._buckets) == {"c", "d"}
