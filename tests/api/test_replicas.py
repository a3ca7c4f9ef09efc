"""API replicas over one store: shared rate limits (fail closed), announced list versions,
the same index and answers on every replica; two real servers over one PostgreSQL."""

from __future__ import annotations

import os
import queue
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from .conftest import auth, make_client, start_server, stop_server, wait_ready

SWAP_QUERY = {"schema": "Person", "properties": {"name": ["Ahmad Swapman"]}}
QUERIES = [
    {"schema": "Person", "properties": {"name": ["Ahmad Testman"]}},
    {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}},
    {"schema": "Company", "properties": {"name": ["Northwind Trading Ltd"]}},
]


def match_body(*queries: dict[str, Any]) -> dict[str, Any]:
    return {"queries": {f"q{i}": q for i, q in enumerate(queries)}}


def top(response: httpx.Response, name: str = "q0") -> dict[str, Any] | None:
    results = response.json()["responses"][name]["results"]
    return results[0] if results else None


# --- one process, SQLite ------------------------------------------------------------------


def test_rate_store_auto_is_memory_on_sqlite_and_shared_when_asked(fresh_db: Path) -> None:
    from sanctions.api import ApiSettings, KeyStore
    from sanctions.api.auth import Guard
    from sanctions.api.limits import RateLimiter, SharedRateLimiter
    from sanctions.store import Store

    store = Store.open(fresh_db)
    keys = KeyStore(store.engine)
    assert isinstance(Guard(ApiSettings(), keys).limiter, RateLimiter)
    shared = Guard(ApiSettings(rate_store="store"), keys)
    assert isinstance(shared.limiter, SharedRateLimiter)
    assert isinstance(shared.work, SharedRateLimiter) and shared.work.prefix == "work"
    store.close()


def test_bad_rate_store_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from sanctions.api import ApiSettings
    from sanctions.errors import ConfigError

    monkeypatch.setenv("SANCTIONS_API_RATE_STORE", "redis")
    with pytest.raises(ConfigError, match="SANCTIONS_API_RATE_STORE='redis'"):
        ApiSettings.from_env()


def test_shared_limiter_gives_one_bucket_to_two_servers_on_one_sqlite_file(
    fresh_db: Path,
) -> None:
    from sanctions.api.limits import SharedRateLimiter
    from sanctions.store import Store

    a, b = Store.open(fresh_db), Store.open(fresh_db)  # as two processes would
    # 1 token/s, burst 3: three requests pass across both, the fourth waits under 1 s
    one = SharedRateLimiter(a.engine, rate=1.0, burst=3.0)
    two = SharedRateLimiter(b.engine, rate=1.0, burst=3.0)
    waits = [limiter.take("k") for limiter in (one, two, one, two)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 0.0 < waits[3] <= 1.0
    assert 0.0 < two.wait("k") <= 1.0 and one.wait("other") == 0.0
    assert one.take("other") == 0.0  # buckets are per key
    assert SharedRateLimiter(a.engine, 1.0, 3.0, prefix="work").take("k") == 0.0  # and per kind
    a.close()
    b.close()


def test_unreachable_rate_limits_refuse_with_503_not_unlimited(fresh_db: Path) -> None:
    from sanctions.api import KeyStore
    from sanctions.store import Store

    store = Store.open(fresh_db)
    key = KeyStore(store.engine).create("limited", "screen", rate_limit=100)[1]
    with make_client(fresh_db, rate_store="store") as client:
        wait_ready(client.get)
        body = match_body(QUERIES[0])
        assert client.post("/match/default", json=body, headers=auth(key)).status_code == 200
        with store.engine.begin() as conn:  # the limiter's store breaks under the server
            conn.execute(text("DROP TABLE rate_limits"))
        refused = client.post("/match/default", json=body, headers=auth(key))
        assert refused.status_code == 503, refused.text
        assert refused.json()["detail"].startswith("Rate limit unavailable")
        assert refused.headers["retry-after"] == "5"
        assert client.get("/healthz").status_code == 200  # routes without a key still answer
        # a replica that refuses every keyed request takes no traffic from a load balancer
        ready = client.get("/readyz")
        assert ready.status_code == 503, ready.text
        assert "rate limits cannot be checked" in ready.json()["detail"]
    store.close()


def test_failed_authentications_are_counted_across_servers(fresh_db: Path) -> None:
    from sanctions.api import KeyStore
    from sanctions.store import Store

    store = Store.open(fresh_db)
    key = KeyStore(store.engine).create("good", "screen")[1]
    store.close()
    shared = {"rate_store": "store", "auth_failures_per_minute": 4}
    with make_client(fresh_db, **shared) as one, make_client(fresh_db, **shared) as two:
        wait_ready(one.get)
        wait_ready(two.get)
        # four guesses spread over two servers spend the address's budget of four
        for i, client in enumerate((one, two, one, two)):
            assert client.get("/catalog", headers=auth(f"guess-{i}")).status_code == 401
        # the server that counted the last failure blocks the address, even its good key
        assert two.get("/catalog", headers=auth(key)).status_code == 429
        # the other server learns it from the store at its next failure: one more, not four
        assert one.get("/catalog", headers=auth("guess-4")).status_code == 401
        blocked = one.get("/catalog", headers=auth(key))
        assert blocked.status_code == 429 and "failed authentications" in blocked.text


def test_unreachable_postgresql_limiter_raises_a_clear_error() -> None:
    from sanctions.api.limits import LimiterUnavailable, SharedRateLimiter

    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    engine = create_engine(
        f"postgresql+psycopg://u:secretpw@127.0.0.1:{port}/x", connect_args={"connect_timeout": 2}
    )
    limiter = SharedRateLimiter(engine, rate=5.0, burst=10.0)
    with pytest.raises(LimiterUnavailable, match="cannot be checked") as caught:
        limiter.take(1)
    assert "secretpw" not in str(caught.value)
    engine.dispose()


def test_readyz_and_match_tell_the_versions_and_index_served(
    client: Any, keys: dict[str, str]
) -> None:
    ready = client.get("/readyz").json()
    assert ready["announce"] == "poll"  # SQLite: no announcements, the store is polled
    assert set(ready["versions"]) >= {"un_sc_sanctions", "us_ofac_sdn"}
    assert all(label.startswith("v") for label in ready["versions"].values())
    response = client.post(
        "/match/default", json=match_body(QUERIES[0]), headers=auth(keys["screen"])
    )
    assert response.headers["x-index-digest"] == ready["index_digest"]
    assert len(ready["index_digest"]) == 16


# --- PostgreSQL -----------------------------------------------------------------------------


def postgres_admin_url() -> str:
    url = os.environ.get("SANCTIONS_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must provide SANCTIONS_TEST_POSTGRES_URL (see .ci/run)")
        pytest.skip("no PostgreSQL server: set SANCTIONS_TEST_POSTGRES_URL (scripts/postgres.sh)")
    return url


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A private database on the test server, with the sample lists loaded."""
    from sanctions.config import db_url
    from sanctions.demo import load_samples
    from sanctions.store import Store

    admin_url = postgres_admin_url()
    name = f"replicas_{uuid.uuid4().hex[:10]}"
    admin = create_engine(db_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    store = Store.open(url)
    for _ in load_samples(store):
        pass
    store.close()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.mark.postgres
def test_shared_limiter_is_atomic_under_concurrent_replicas(pg_url: str) -> None:
    """8 threads over 2 engines (2 replicas) take as fast as they can: never more than the
    bucket allows (a lost update would grant more)."""
    from sanctions.api.limits import SharedRateLimiter
    from sanctions.store import Store

    stores = [Store.open(pg_url, migrate_schema=False) for _ in range(2)]
    rate, burst, seconds = 20.0, 5.0, 2.0
    limiters = [SharedRateLimiter(s.engine, rate, burst, prefix="atomic") for s in stores]
    granted: list[float] = []
    stop = time.monotonic() + seconds

    def hammer(limiter: SharedRateLimiter) -> None:
        while time.monotonic() < stop:
            if limiter.take("k") == 0.0:
                granted.append(time.monotonic())

    started = time.monotonic()
    threads = [threading.Thread(target=hammer, args=(limiters[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert len(granted) <= burst + rate * elapsed + 1, (len(granted), elapsed)
    # ... and it does let the rate pass (half of it: threads starve when the machine is busy)
    assert len(granted) >= 0.5 * rate * seconds, len(granted)
    for store in stores:
        store.close()


@pytest.mark.postgres
def test_listener_hears_a_version_committed_by_another_process(pg_url: str, tmp_path: Path) -> None:
    from sanctions.store import Store
    from sanctions.store.announce import VersionListener

    from .test_swap import load_new_version

    store = Store.open(pg_url, migrate_schema=False)
    heard: queue.Queue[dict[str, Any]] = queue.Queue()
    listener = VersionListener(store.engine, heard.put)
    listener.start()
    try:
        assert heard.get(timeout=30) == {}  # connected: "check the store now"
        assert listener.connected.is_set()
        result = load_new_version(pg_url, tmp_path, name="Announced Person Example")  # type: ignore[arg-type]
        payload = heard.get(timeout=30)
        assert payload == {"dataset": "opensanctions", "version": result.version_id}
    finally:
        listener.stop()
        store.close()


@pytest.mark.postgres
def test_listener_reconnects_and_rechecks_when_its_connection_is_killed(pg_url: str) -> None:
    from sanctions.store import Store
    from sanctions.store.announce import VersionListener

    store = Store.open(pg_url, migrate_schema=False)
    heard: queue.Queue[dict[str, Any]] = queue.Queue()
    listener = VersionListener(store.engine, heard.put)
    listener.start()
    try:
        assert heard.get(timeout=30) == {}
        with store.engine.begin() as conn:  # as a database restart or a proxy would
            killed = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'LISTEN %'"
                )
            ).all()
        assert killed == [(True,)]
        assert heard.get(timeout=30) == {}  # reconnected: "check the store now" again
        assert listener.connected.is_set() and listener.error is None
    finally:
        listener.stop()
        store.close()


# --- two real servers over one PostgreSQL -------------------------------------------------


@pytest.fixture(scope="module")
def replicas(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two ``sanctions serve`` over one PostgreSQL store, each with its own data dir and
    index cache (as on two hosts), polling only every 300 s: a swap within the test's
    deadlines comes from the announcement. Replica A can /updatez from a local mirror."""
    from sanctions.api import KeyStore
    from sanctions.demo import SAMPLES
    from sanctions.store import Store

    root = tmp_path_factory.mktemp("replicas")
    mirror = root / "mirror" / "un_sc_sanctions"
    mirror.mkdir(parents=True)
    sample = (SAMPLES / "un_sc.xml").read_text(encoding="utf-8")
    (mirror / "consolidated.xml").write_text(sample.replace("TESTMAN", "SWAPMAN"), "utf-8")
    store = Store.open(pg_url, migrate_schema=False)
    ks = KeyStore(store.engine)
    keys = {
        "open": ks.create("replicas-open", "admin", rate_limit=0)[1],
        "limited": ks.create("replicas-limited", "screen", rate_limit=5)[1],
    }
    store.close()
    servers = []
    try:
        for name in ("a", "b"):
            env = {
                "SANCTIONS_DATA_DIR": str(root / name / "data"),
                "SANCTIONS_INDEX_CACHE": str(root / name / "cache"),
                "SANCTIONS_API_POLL_SECONDS": "300",
                "SANCTIONS_MIRROR": str(root / "mirror"),
            }
            servers.append(start_server(pg_url, env=env))  # type: ignore[arg-type]
        yield {"a": servers[0][1], "b": servers[1][1], "keys": keys}
    finally:
        for proc, _ in servers:
            stop_server(proc)
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_replicas_give_a_key_its_rate_not_twice_it(replicas: dict[str, Any]) -> None:
    rate, seconds = 5.0, 8.0
    bases = [replicas["a"], replicas["b"]]
    body = match_body(QUERIES[0])
    headers = auth(replicas["keys"]["limited"])
    events: list[tuple[float, int, int]] = []  # (start, replica, status)
    stop = threading.Event()

    def client(i: int) -> None:
        with httpx.Client(base_url=bases[i % 2], headers=headers, timeout=30) as http:
            while not stop.is_set():
                started = time.monotonic()
                status = http.post("/match/default", json=body).status_code
                events.append((started, i % 2, status))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60  # first drain the key's burst on both replicas
        while not {(r, 429) for r in (0, 1)} <= {(r, s) for _, r, s in events}:
            assert time.monotonic() < deadline, "the key was never limited"
            time.sleep(0.05)
        window_start = time.monotonic()
        time.sleep(seconds)  # the measurement window itself, not a wait for timing
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    window = [e for e in events if window_start <= e[0] < window_start + seconds]
    passed = [e for e in window if e[2] == 200]
    assert {s for _, _, s in window} <= {200, 429}
    assert {r for _, r, _ in passed} == {0, 1}  # both replicas served the key
    achieved = len(passed) / seconds
    assert achieved <= 1.1 * rate, f"{achieved:.2f} req/s over both replicas for a {rate}/s key"
    assert achieved >= 0.75 * rate, f"{achieved:.2f} req/s: the limiter refuses too much"


@pytest.mark.postgres
@pytest.mark.slow
def test_update_through_one_replica_is_served_by_both_without_a_failed_request(
    replicas: dict[str, Any],
) -> None:
    a, b, key = replicas["a"], replicas["b"], replicas["keys"]["open"]
    ready = [httpx.get(f"{base}/readyz").json() for base in (a, b)]
    assert ready[0]["announce"] == ready[1]["announce"] == "listen"
    assert ready[0]["index_digest"] == ready[1]["index_digest"]
    assert ready[0]["versions"] == ready[1]["versions"]
    statuses: list[int] = []
    stop = threading.Event()

    def hammer(base: str) -> None:
        with httpx.Client(base_url=base, headers=auth(key), timeout=60) as http:
            while not stop.is_set():
                statuses.append(http.post("/match/default", json=match_body(*QUERIES)).status_code)

    threads = [threading.Thread(target=hammer, args=(base,)) for base in (a, b, a, b)]
    for thread in threads:
        thread.start()
    try:
        updated = httpx.post(
            f"{a}/updatez",
            params={"dataset": "un_sc_sanctions", "sync": "true"},
            headers=auth(key),
            timeout=300,
        )
        assert updated.status_code == 200, updated.text
        assert updated.json()["reports"][0]["status"] == "loaded"
        for base in (a, b):  # B polls every 300 s: only the announcement can swap it in time
            deadline = time.monotonic() + 120
            while True:
                response = httpx.post(
                    f"{base}/match/default", json=match_body(SWAP_QUERY), headers=auth(key)
                )
                best = top(response)
                if best and best["match"] and "SWAPMAN" in best["caption"].upper():
                    break
                assert time.monotonic() < deadline, f"{base} never served the new version"
                time.sleep(0.1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert statuses and set(statuses) == {200}, f"{len(statuses)} requests: {set(statuses)}"
    after = [httpx.get(f"{base}/readyz").json() for base in (a, b)]
    assert after[0]["index_digest"] == after[1]["index_digest"] != ready[0]["index_digest"]
    assert after[0]["versions"] == after[1]["versions"]
    assert after[0]["versions"]["un_sc_sanctions"] != ready[0]["versions"]["un_sc_sanctions"]
    answers = [
        httpx.post(
            f"{base}/match/default", json=match_body(*QUERIES, SWAP_QUERY), headers=auth(key)
        )
        for base in (a, b)
    ]
    assert answers[0].headers["x-index-digest"] == answers[1].headers["x-index-digest"]
    same = [
        [(r["id"], r["score"], r["match"]) for r in answer.json()["responses"][q]["results"]]
        for answer in answers
        for q in sorted(answers[0].json()["responses"])
    ]
    half = len(same) // 2
    assert same[:half] == same[half:]  # the same answers, to the score, on both replicas
