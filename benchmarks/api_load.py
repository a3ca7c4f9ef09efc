"""Load test of the HTTP API during a live list update (loopback only; stops by itself).

32 concurrent clients send /match requests (one query each) for 60 s to a
``sanctions serve`` over the real lists. At 15 s a new version of the OFAC SDN
list (2023-12-28, over 2022-04-08) is loaded by another process (``sanctions
load``); each worker notices it, builds the new index off the request path and
swaps it in. Requirement: zero failed requests. Prints throughput and p50/p99
latency before, during (from the start of the load until the last answer from
the old index) and after the swap. On a slow or busy machine the run goes on
past 60 s until every worker has served from the new index for 10 s (never past
``--max-seconds``), so that "after" is measured too.

    .venv/bin/python benchmarks/api_load.py [--clients 32] [--seconds 60] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from _api_common import (
    UPDATE_LIST,
    closed_loop,
    create_key,
    fresh_copy,
    load_update,
    log,
    query_pool,
    start_server,
    stop_server,
    summarise,
)


def stopper(args: argparse.Namespace, marks: dict[str, float]) -> Any:
    """Stop at ``--seconds``, or later once every worker has answered from the new index
    for ``--settle`` seconds; never after ``--max-seconds``."""

    def done(run: Any) -> bool:
        elapsed = time.monotonic() - marks["t0"]
        if elapsed >= args.max_seconds:
            return True
        if elapsed < args.seconds:
            return False
        recent = [s for s in run.samples[-200:] if s.status == 200]
        first_gen = run.samples[0].generation if run.samples else -1
        if not recent or any(s.generation == first_gen for s in recent):
            return False  # not swapped yet (or some worker still on the old index)
        new_since = min(s.start for s in run.samples if s.generation != first_gen)
        return time.monotonic() - new_since >= args.settle

    return done


async def scenario(args: argparse.Namespace, base: str, key: str, db: str, cache: str) -> Any:
    queries = query_pool(__import__("pathlib").Path(db))
    marks: dict[str, float] = {"t0": time.monotonic()}
    run, _ = await asyncio.gather(
        closed_loop(base, key, queries, args.clients, args.seconds, done=stopper(args, marks)),
        load_update(db, cache, args.swap_at, marks),
    )
    marks["t_end"] = time.monotonic()
    return run, marks


def phases(run: Any, marks: dict[str, float]) -> dict[str, Any]:
    old = min(s.generation for s in run.samples if s.status == 200)
    swap_end = max((s.end for s in run.samples if s.generation == old), default=marks["t_end"])
    new_gens = {s.generation for s in run.samples if s.generation > old}
    before = [s for s in run.samples if s.start < marks["load_start"]]
    during = [s for s in run.samples if marks["load_start"] <= s.start <= swap_end]
    after = [s for s in run.samples if s.start > swap_end]
    return {
        "before": summarise(before, marks["load_start"] - marks["t0"]),
        "during": summarise(during, swap_end - marks["load_start"]),
        "after": summarise(after, marks["t_end"] - swap_end),
        "all": summarise(run.samples, marks["t_end"] - marks["t0"]),
        "load_seconds": round(marks["load_end"] - marks["load_start"], 1),
        "swap_after_load_seconds": round(swap_end - marks["load_end"], 1),
        "swapped": bool(new_gens),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--swap-at", type=float, default=15.0)
    parser.add_argument("--settle", type=float, default=10.0, help="seconds after the swap")
    parser.add_argument("--max-seconds", type=float, default=240.0, help="hard stop")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    db, cache = fresh_copy("load")
    key = create_key(db)
    proc, base = start_server(db, cache, args.workers)
    log(
        f"server ready at {base} ({args.workers} worker(s)); {args.clients} clients for {args.seconds:.0f}s"
    )
    try:
        run, marks = asyncio.run(scenario(args, base, key, str(db), str(cache)))
    finally:
        stop_server(proc)
    report = {
        "clients": args.clients,
        "workers": args.workers,
        "seconds": round(marks["t_end"] - marks["t0"], 1),
        **phases(run, marks),
    }
    print(
        f"{'phase':8} {'requests':>9} {'failed':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    for name in ("before", "during", "after", "all"):
        r = report[name]
        print(f"{name:8} {r['requests']:>9} {r['failed']:>7} {r['req_per_s']:>7} "
              f"{r['p50_ms']:>8} {r['p99_ms']:>8} {r['max_ms']:>8}")  # fmt: skip
    print(f"load of {UPDATE_LIST}: {report['load_seconds']}s; last answer from the old index "
          f"{report['swap_after_load_seconds']}s after the load committed; swapped: {report['swapped']}")  # fmt: skip
    print(json.dumps(report))
    if run.errors:
        print(f"FAILED requests: {len(run.errors)}; first: {run.errors[:3]}", file=sys.stderr)
    return 0 if not run.errors and report["swapped"] else 1


if __name__ == "__main__":
    sys.exit(main())
