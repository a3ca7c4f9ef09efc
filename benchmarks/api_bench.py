"""Benchmark of /match over HTTP against in-process screening (loopback only).

Over the real lists (see _api_common.py), with the same query pool (listed names,
some misspelt, and ordinary unlisted names) and the API's defaults (limit 5,
cutoff = threshold 0.70):

* in process: ``Screener.screen`` called directly, one query after another;
* over HTTP, ``sanctions serve`` with 1 and with 2 workers, /match with 1 and with
  10 queries per request: one client (latency, and the overhead per request
  against in-process screening), then 8 concurrent clients (throughput).

The three are measured in alternating rounds and the medians reported, so that a
busy shared machine does not favour whichever ran in a quiet minute.

    .venv/bin/python benchmarks/api_bench.py [--seconds 5] [--rounds 3] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
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


def make_screener(db: Any, cache: Any) -> Any:
    os.environ["SANCTIONS_INDEX_CACHE"] = str(cache)
    from sanctions.screening import Screener
    from sanctions.store import Store

    screener = Screener(Store.open(db))
    screener.index  # noqa: B018 - build (from the cache) before timing
    return screener


def in_process(screener: Any, queries: list[dict[str, Any]], batch: int, seconds: float) -> Any:
    """Direct screening for ``seconds``: latency of ``batch`` queries one after another."""
    from sanctions.matching import DEFAULT_THRESHOLD

    rng = random.Random(batch)
    latencies = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        t = time.perf_counter()
        for _ in range(batch):
            screener.screen(rng.choice(queries), limit=5, cutoff=DEFAULT_THRESHOLD)
        latencies.append((time.perf_counter() - t) * 1000)
    elapsed = time.perf_counter() - started
    return {
        "req_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }


def median_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [k for k in rounds[0] if isinstance(rounds[0][k], (int, float))]
    return {k: round(statistics.median(r[k] for r in rounds), 2) for k in keys}


def one_config(
    base: str, key: str, screener: Any, queries: list[dict[str, Any]], batch: int, args: Any
) -> dict[str, Any]:
    """Rounds alternating in-process, 1 HTTP client and N HTTP clients (the machine is shared:
    alternating keeps the comparison fair); medians over the rounds."""
    direct, one, many, overhead = [], [], [], []
    for _ in range(args.rounds):
        direct.append(in_process(screener, queries, batch, args.seconds))
        run = asyncio.run(closed_loop(base, key, queries, 1, args.seconds, batch))
        one.append(summarise(run.samples, args.seconds))
        run = asyncio.run(closed_loop(base, key, queries, args.clients, args.seconds, batch))
        many.append(summarise(run.samples, args.seconds))
        overhead.append(one[-1]["p50_ms"] - direct[-1]["p50_ms"])
    return {
        "in_process": median_of(direct),
        "one_client": median_of(one),
        "n_clients": median_of(many),
        "overhead_p50_ms": round(statistics.median(overhead), 2),
        "failed": sum(r["failed"] for r in one + many),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    db, cache = fresh_copy("bench")
    key = create_key(db)
    queries = query_pool(db)
    screener = make_screener(db, cache)
    report: dict[str, Any] = {}
    for workers in (1, 2):
        proc, base = start_server(db, cache, workers)
        try:
            for batch in (1, 10):
                result = one_config(base, key, screener, queries, batch, args)
                report[f"{workers}w-{batch}q"] = result
                log(f"{workers} worker(s), {batch} query(ies)/request: {result}")
        finally:
            stop_server(proc)
    print_table(report, args.clients)
    print(json.dumps(report))
    return 0 if all(r["failed"] == 0 for r in report.values()) else 1


def print_table(report: dict[str, Any], clients: int) -> None:
    head = f"{'workers, queries/request':26} {'setup':14} {'req/s':>7} {'queries/s':>9}"
    print(f"{head} {'p50 ms':>8} {'p99 ms':>8}")
    for label, r in report.items():
        workers, batch = label.split("-")
        n = int(batch[:-1])
        for setup, row in (
            ("in process", r["in_process"]),
            ("HTTP 1 client", r["one_client"]),
            (f"HTTP {clients} clients", r["n_clients"]),
        ):
            name = f"{workers[:-1]} worker(s), {n} q/req"
            print(f"{name:26} {setup:14} {row['req_per_s']:>7} {row['req_per_s'] * n:>9.1f} "
                  f"{row['p50_ms']:>8} {row['p99_ms']:>8}")  # fmt: skip
        print(f"{'':26} HTTP overhead per request (p50, 1 client): {r['overhead_p50_ms']} ms")


if __name__ == "__main__":
    sys.exit(main())
