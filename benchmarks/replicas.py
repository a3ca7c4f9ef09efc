"""Two API replicas over one PostgreSQL store, under load, with a list update in the middle.

A fresh database on the PostgreSQL server given (``--postgres`` or
``SANCTIONS_TEST_POSTGRES_URL``; start one with ``scripts/postgres.sh start``) gets
the real lists of ../shared/data (OFAC SDN at 2022-04-08). Two ``sanctions serve``
(one worker each; one index cache as on one host, or ``--separate-caches`` as on
two hosts) serve it; 32
clients (half on each replica, as a round-robin load balancer would) send /match
requests (one query each) with an unlimited key for ``--seconds`` (longer if the
swap is late: until both replicas served the new index for ``--settle`` s).
Meanwhile 8 more clients send with a key limited to ``--rate`` req/s, alternating
replicas. Halfway,
``sanctions load`` (another process) loads OFAC SDN 2023-12-28: PostgreSQL announces
it and both replicas swap. Prints failed requests, req/s and p50/p99 per replica
and phase, when each replica served the new version, and the limited key's achieved
rate against ``--rate``. Exit status 1 on any failed request or a missed swap.

    .venv/bin/python benchmarks/replicas.py [--clients 32] [--seconds 60] [--rate 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import time
import uuid
from typing import Any

import httpx
from _api_common import (
    BASE_LISTS,
    SHARED,
    WORK,
    LoadRun,
    Sample,
    _client_loop,
    load_update,
    log,
    query_pool,
    start_server,
    stop_server,
    summarise,
)
from sqlalchemy import create_engine, text


def create_database(server_url: str) -> tuple[str, Any]:
    """A new database on the server; (its URL, an admin engine to drop it with)."""
    from sanctions.config import db_url

    name = f"replicas_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(db_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    return server_url.rsplit("/", 1)[0] + "/" + name, admin


def load_lists(url: str) -> tuple[Any, Any]:
    """The store with the base lists loaded, and its API keys."""
    from sanctions.api import KeyStore
    from sanctions.store import Store

    store = Store.open(url)
    for rel, dataset in BASE_LISTS:
        started = time.perf_counter()
        result = store.load(SHARED / rel, dataset=dataset)
        log(f"loaded {rel}: {result.entity_count} entities ({time.perf_counter() - started:.1f}s)")
    return store, KeyStore(store.engine)


async def limited_loop(
    bases: list[str], key: str, query: dict[str, Any], done: Any, events: list[Any]
) -> None:
    """One client of the limited key, alternating replicas: (start, status) per request."""
    headers = {"Authorization": f"ApiKey {key}"}
    clients = [httpx.AsyncClient(base_url=b, headers=headers, timeout=120) for b in bases]
    try:
        i = 0
        while not done():
            start = time.monotonic()
            try:
                response = await clients[i % 2].post(
                    "/match/default", json={"queries": {"q": query}}
                )
                events.append((start, response.status_code))
            except httpx.HTTPError as exc:  # a failed request, counted, not the end of the run
                events.append((start, 0))
                log(f"limited client: {exc.__class__.__name__} at {start:.1f}")
            i += 1
    finally:
        for client in clients:
            await client.aclose()


def stopper(args: argparse.Namespace, runs: list[LoadRun], marks: dict[str, float]) -> Any:
    """Stop at ``--seconds``, or later once both replicas have answered from the new index
    for ``--settle`` seconds; never after ``--max-seconds``."""
    swapped: dict[int, float] = {}

    def done() -> bool:
        now = time.monotonic()
        if now - marks["t0"] >= args.max_seconds:
            return True
        for i, run in enumerate(runs):
            if i not in swapped and any(s.generation > 0 for s in run.samples[-50:]):
                swapped[i] = now  # each replica starts at generation 0
        if now - marks["t0"] < args.seconds or len(swapped) < len(runs):
            return False
        return now - max(swapped.values()) >= args.settle

    return done


async def scenario(
    args: argparse.Namespace, bases: list[str], keys: dict[str, str], url: str, queries: Any
) -> tuple[list[LoadRun], list[Any], dict[str, float]]:
    runs = [LoadRun() for _ in bases]
    limited: list[Any] = []
    marks = {"t0": time.monotonic()}
    done = stopper(args, runs, marks)
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    headers = {"Authorization": f"ApiKey {keys['open']}"}
    https = [
        httpx.AsyncClient(base_url=b, headers=headers, timeout=120, limits=limits) for b in bases
    ]
    rng = random.Random(3)
    try:
        await asyncio.gather(
            *(
                _client_loop(https[i % 2], runs[i % 2], queries, 1, done, i)
                for i in range(args.clients)
            ),
            *(
                limited_loop(bases, keys["limited"], rng.choice(queries), done, limited)
                for _ in range(args.limited_clients)
            ),
            load_update(url, None, args.seconds / 2, marks),
        )
    finally:
        for http in https:
            await http.aclose()
    marks["t_end"] = time.monotonic()
    return runs, limited, marks


def replica_report(run: LoadRun, marks: dict[str, float]) -> dict[str, Any]:
    ok = [s for s in run.samples if s.status == 200]
    old = min((s.generation for s in ok), default=0)
    first_new = min((s.end for s in ok if s.generation > old), default=None)
    last_old = max((s.end for s in ok if s.generation == old), default=marks["t_end"])
    during = [s for s in run.samples if marks["load_start"] <= s.start <= last_old]
    return {
        "all": summarise(run.samples, marks["t_end"] - marks["t0"]),
        "during_swap": summarise(during, max(last_old - marks["load_start"], 1e-9)),
        "swapped": first_new is not None,
        "failed_at_s": [round(s.start - marks["t0"], 1) for s in run.samples if s.status != 200],
        "first_new_after_load_s": None
        if first_new is None
        else round(first_new - marks["load_end"], 2),
        "last_old_after_load_s": round(last_old - marks["load_end"], 2),
    }


def limited_report(events: list[Any], rate: float, marks: dict[str, float]) -> dict[str, Any]:
    """The limited key's achieved rate over the run, and from its first 429 on (once its
    burst is spent: the steady rate the limit allows)."""
    seconds = marks["t_end"] - marks["t0"]
    passed = [start for start, status in events if status == 200]
    refused = [start for start, status in events if status == 429]
    first_429 = min(refused, default=marks["t_end"])
    steady_seconds = marks["t_end"] - first_429
    steady = sum(1 for start in passed if start >= first_429)
    steady_rate = steady / steady_seconds if steady_seconds > 0 else float("nan")
    return {
        "rate_limit": rate,
        "requests": len(events),
        "passed": len(passed),
        "refused_429": len(refused),
        "other_statuses": sum(1 for _, status in events if status not in (200, 429)),
        "achieved_req_per_s": round(len(passed) / seconds, 2),
        "steady_seconds": round(steady_seconds, 1),
        "steady_req_per_s": round(steady_rate, 2),
        "steady_ratio_to_rate": round(steady_rate / rate, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("SANCTIONS_TEST_POSTGRES_URL"))
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=4.0, help="the limited key's req/s")
    parser.add_argument("--limited-clients", type=int, default=8)
    parser.add_argument("--settle", type=float, default=10.0, help="seconds after the swap")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="hard stop")
    parser.add_argument(
        "--poll", type=float, default=2.0, help="seconds between polls (the default's)"
    )
    parser.add_argument(
        "--separate-caches",
        action="store_true",
        help="an index cache per replica, as on two hosts (default: one, as on one host)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if not args.postgres:
        parser.error('no PostgreSQL: --postgres URL (eval "$(bash scripts/postgres.sh start)")')
    url, admin = create_database(args.postgres)
    procs: list[Any] = []
    try:
        store, key_store = load_lists(url)
        keys = {
            "open": key_store.create("bench-open", "screen", rate_limit=0)[1],
            "limited": key_store.create("bench-limited", "screen", rate_limit=args.rate)[1],
        }
        store.close()
        queries = query_pool(url)  # type: ignore[arg-type]
        bases = []
        for name in ("a", "b"):
            cache = WORK / f"replica-{name if args.separate_caches else 'shared'}-cache"
            if name == "a" or args.separate_caches:
                shutil.rmtree(cache, ignore_errors=True)
            started = time.perf_counter()
            log_file = WORK / f"replica-{name}.log"
            proc, base = start_server(url, cache, 1, args.poll, log_file)  # type: ignore[arg-type]
            log(
                f"replica {name} ready at {base} ({time.perf_counter() - started:.0f}s), log {log_file}"
            )
            procs.append(proc)
            bases.append(base)
        ready = [httpx.get(f"{b}/readyz").json() for b in bases]
        assert ready[0]["index_digest"] == ready[1]["index_digest"], ready
        log(
            f"{args.clients} clients + {args.limited_clients} on a {args.rate}/s key "
            f"for {args.seconds:.0f}s"
        )
        runs, limited, marks = asyncio.run(scenario(args, bases, keys, url, queries))
        after = [httpx.get(f"{b}/readyz").json() for b in bases]
    finally:
        for proc in procs:
            stop_server(proc)
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))
        admin.dispose()
    all_samples: list[Sample] = [s for run in runs for s in run.samples]
    report = {
        "clients": args.clients,
        "seconds": round(marks["t_end"] - marks["t0"], 1),
        "load_at_s": round(marks["load_start"] - marks["t0"], 1),
        "load_seconds": round(marks["load_end"] - marks["load_start"], 1),
        "all": summarise(all_samples, marks["t_end"] - marks["t0"]),
        "replicas": {n: replica_report(r, marks) for n, r in zip("ab", runs, strict=True)},
        "limited_key": limited_report(limited, args.rate, marks),
        "digests_agree_after": after[0]["index_digest"] == after[1]["index_digest"],
        "versions_agree_after": after[0]["versions"] == after[1]["versions"],
        "announce": [r["announce"] for r in after],
    }
    print(json.dumps(report, indent=2))
    failed = report["all"]["failed"] + report["limited_key"]["other_statuses"]
    swapped = all(r["swapped"] for r in report["replicas"].values())
    for run in runs:
        if run.errors:
            print(f"FAILED requests: {len(run.errors)}; first: {run.errors[:3]}", file=sys.stderr)
    return 0 if failed == 0 and swapped and report["digests_agree_after"] else 1


if __name__ == "__main__":
    sys.exit(main())
