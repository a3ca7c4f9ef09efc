"""Candidate search under the floor: CPU time pruned and exhaustive, in one run, all lists.

    python benchmarks/pruning.py [--db /tmp/sanctions-bench.db] [--queries 2000] [--messages 1000]

Two workloads, each screened by the same process with pruning on and off
(:mod:`sanctions.matching.prune`; off is the exhaustive bound of every listed
name sharing a word with the query, the matcher before pruning), in rounds
that alternate the two (exhaustive, pruned, exhaustive, pruned; the best
round of each is reported, so a burst of load on the shared machine hurts
neither side alone):

* queries: ``benchmarks/speed.py``'s mix (UN perturbed names and synthetic
  ordinary people, with dates of birth) through :meth:`Screener.screen`
  without a cutoff (the best candidates even under the threshold: the ``/match``
  case), at cutoff 0.5 (``/search``) and at 0.8 (the payment review score);
* payments: clean MT103 / pacs.008 messages of ``benchmarks/payments.py``
  (five parties, ordinary people and companies), screened whole.

Token caches are warmed once per workload before the rounds (both sides use
them). Times are CPU time of the screening thread (``time.thread_time``).
Results of both sides are compared and any difference is reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _lists import load_all_lists  # noqa: E402
from payments import Generator, build_mt103, build_pacs008  # noqa: E402
from speed import eval_queries, percentile  # noqa: E402

from sanctions.matching import prune  # noqa: E402
from sanctions.payments import PaymentScreener, parse_message  # noqa: E402
from sanctions.screening import Screener  # noqa: E402
from sanctions.store import Store  # noqa: E402


def timed(items: list[Any], work: Callable[[Any], Any]) -> tuple[list[float], list[Any]]:
    times, out = [], []
    for item in items:
        started = time.thread_time()
        out.append(work(item))
        times.append((time.thread_time() - started) * 1000)
    return times, out


def summary(times: list[float], unit: str) -> dict[str, float]:
    mean = statistics.fmean(times)
    return {
        "p50_ms": round(percentile(times, 50), 3),
        "p99_ms": round(percentile(times, 99), 3),
        "mean_ms": round(mean, 3),
        f"{unit}_per_s_one_core": round(1000 / mean, 1),
    }


def compare(items: list[Any], work: Callable[[Any], Any], unit: str) -> dict[str, Any]:
    """Alternating rounds, exhaustive first; the best mean of each side is reported."""
    work_items = items[: len(items) // 4]
    timed(work_items, work)  # warm the token caches
    best: dict[bool, list[float]] = {}
    results: dict[bool, list[Any]] = {}
    for enabled in (False, True, False, True):
        with nullcontext() if enabled else prune.exhaustive():
            times, out = timed(items, work)
        if enabled not in best or statistics.fmean(times) < statistics.fmean(best[enabled]):
            best[enabled] = times
        results[enabled] = out
    differ = sum(a != b for a, b in zip(results[True], results[False], strict=True))
    before, after = summary(best[False], unit), summary(best[True], unit)
    return {
        "exhaustive": before,
        "pruned": after,
        "speed_up": round(before["mean_ms"] / after["mean_ms"], 2),
        "results_differ": differ,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="/tmp/sanctions-bench.db")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    load_all_lists(args.db)
    screener = Screener(Store.open(args.db))
    screener.refresh()
    report: dict[str, Any] = {}
    queries = eval_queries(args.queries)
    for cutoff in (None, 0.5, 0.8):

        def query(q: dict[str, Any], cutoff: float | None = cutoff) -> list[tuple[str, float]]:
            result = screener.screen(q, cutoff=cutoff)
            return [(m.record.id, m.score.score) for m in result.results]

        report[f"queries_cutoff_{cutoff}"] = compare(queries, query, "queries")
    payments = PaymentScreener(screener, audit=False)
    payments.find_names("warm up")
    gen = Generator(screener)
    texts = []
    for n in range(args.messages):
        parts = gen.clean()
        texts.append(build_mt103(parts, n) if n % 2 == 0 else build_pacs008(parts, n))

    def message(item: tuple[int, str]) -> tuple[str, int]:
        payments._names.clear()  # every message's names screened, as distinct names are
        result = payments.screen(parse_message(item[1], f"m{item[0]}"))
        return result.decision, len(result.findings)

    report["payment_messages"] = compare(list(enumerate(texts)), message, "messages")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
