"""Benchmark of /match over HTTP against in-process screening (loopback only).

Over the real lists (see _api_common.py), with the same query pool (listed names,
some misspelt, and ordinary unlisted names) and the API's defaults (limit 5,
cutoff = threshold 0.70):

* in process: ``Screener.screen`` called directly, one query after another;
* over HTTP, ``sanctions serve`` with 1 and with 2 workers, /match with 1 and with
  10 queries per request: one client (latency, and the overhead per request
  against in-process screening), then 8 concurrent clients (throughput).

    .venv/bin/python benchmarks/api_bench.py [--seconds 10] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import Any

from _api_common import (
    closed_loop,
    create_key,
    fresh_copy,
    log,
    percentile,
    query_pool,
    start_server,
    stop_server,
    summarise,
)


def in_process(db: Any, cache: Any, queries: list[dict[str, Any]], batch: int) -> dict[str, Any]:
    """Direct screening: latency of ``batch`` queries screened one after another."""
    os.environ["SANCTIONS_INDEX_CACHE"] = str(cache)
    from sanctions.matching import DEFAULT_THRESHOLD
    from sanctions.screening import Screener
    from sanctions.store import Store

    screener = Screener(Store.open(db))
    screener.index  # noqa: B018 - build (from the cache) before timing
    for query in queries[:50]:
        screener.screen(query, limit=5, cutoff=DEFAULT_THRESHOLD)
    latencies = []
    started = time.perf_counter()
    for i in range(0, len(queries) - batch + 1, batch):
        t = time.perf_counter()
        for query in queries[i : i + batch]:
            screener.screen(query, limit=5, cutoff=DEFAULT_THRESHOLD)
        latencies.append((time.perf_counter() - t) * 1000)
    seconds = time.perf_counter() - started
    return {
        "calls_per_s": round(len(latencies) / seconds, 1),
        "queries_per_s": round(len(latencies) * batch / seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }


def over_http(
    base: str, key: str, queries: list[dict[str, Any]], batch: int, args: argparse.Namespace
) -> dict[str, Any]:
    single = asyncio.run(closed_loop(base, key, queries, 1, args.seconds, batch))
    many = asyncio.run(closed_loop(base, key, queries, args.clients, args.seconds, batch))
    one, loaded = summarise(single.samples, args.seconds), summarise(many.samples, args.seconds)
    return {
        "one_client": one,
        f"{args.clients}_clients": {**loaded, "queries_per_s": round(loaded["req_per_s"] * batch, 1)},
        "failed": one["failed"] + loaded["failed"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    db, cache = fresh_copy("bench")
    key = create_key(db)
    queries = query_pool(db)
    report: dict[str, Any] = {"in_process": {}, "http": {}}
    for batch in (1, 10):
        report["in_process"][batch] = in_process(db, cache, queries, batch)
        log(f"in process, {batch} query(ies)/call: {report['in_process'][batch]}")
    for workers in (1, 2):
        proc, base = start_server(db, cache, workers)
        try:
            for batch in (1, 10):
                result = over_http(base, key, queries, batch, args)
                report["http"][f"{workers}w-{batch}q"] = result
                log(f"{workers} worker(s), {batch} query(ies)/request: {result}")
        finally:
            stop_server(proc)
    print_table(report, args.clients)
    print(json.dumps(report))
    return 0 if all(r["failed"] == 0 for r in report["http"].values()) else 1


def print_table(report: dict[str, Any], clients: int) -> None:
    print(f"{'setup':28} {'req/s':>7} {'queries/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'overhead p50 ms':>15}")
    for batch, r in report["in_process"].items():
        name = f"in-process, {batch}q/call"
        print(f"{name:28} {r['calls_per_s']:>7} {r['queries_per_s']:>9} {r['p50_ms']:>8} {r['p99_ms']:>8}")
    for label, r in report["http"].items():
        workers, batch = label.split("-")
        base = report["in_process"][int(batch[:-1])]["p50_ms"]
        one, many = r["one_client"], r[f"{clients}_clients"]
        n = int(batch[:-1])
        name = f"HTTP {workers} {batch}/req, 1 client"
        print(f"{name:28} {one['req_per_s']:>7} {one['req_per_s'] * n:>9.1f} {one['p50_ms']:>8} "
              f"{one['p99_ms']:>8} {one['p50_ms'] - base:>15.1f}")  # fmt: skip
        name = f"HTTP {workers} {batch}/req, {clients} clients"
        print(f"{name:28} {many['req_per_s']:>7} {many['queries_per_s']:>9} {many['p50_ms']:>8} "
              f"{many['p99_ms']:>8}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
