"""Speed of two versions of the code in one run (A/B), every list of ../shared/data loaded.

    python benchmarks/speed_ab.py --old /tmp/old-tree [--db /tmp/sanctions-bench.db]
        [--queries 600] [--messages 300] [--rounds 3]

``--old`` is a copy of another commit (``git archive <commit> | tar -x -C DIR``). Each
side runs in a process of its own over the same store and the same inputs; the driver
alternates rounds (old, new, old, new ...), so a burst of load on a shared machine hits
both sides alike. Times are CPU time of the screening thread (``time.thread_time``).

Per round and side:

* ``cold``: :meth:`Screener.screen` without a cutoff (the ``/match`` case), the similar-word
  cache emptied first (every word seen for the first time, as in a new worker or a file of
  new customers); ``warm``: the same queries again; ``cold_0.8``: at the payment review cutoff;
* ``payments``: clean MT103 / pacs.008 messages (five parties) screened whole, caches
  emptied first (:mod:`benchmarks.payments`);
* ``file``: rows of :mod:`benchmarks.batch`'s synthetic customer file (read and turned
  into queries once, before timing) screened with ``screen --file``'s options, the caches
  kept: the steady state of a long file (the process-wide caches of words and dates carry
  over between workloads and rounds, on both sides alike). ``--file-warm`` rows are screened once before the
  first round; each round then screens ``--file-rows`` rows it has not seen, with the
  similar-word caches the file left (the other workloads get fresh ones).

Queries: ``speed.py``'s mix of UN perturbed names and ordinary people with dates of
birth. The results of both sides are compared (listed ids and scores of every query).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def worker(
    root: Path,
    db: str,
    n_queries: int,
    n_messages: int,
    file_warm: int,
    file_rows: int,
    rounds: int,
) -> None:
    """Load the index with the code under ``root``; run a round per line read from stdin."""
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__]
    sys.path.insert(0, str(root))
    sys.path.insert(1, str(HERE))
    from batch import FILE_OPTIONS, write_records
    from payments import Generator, build_mt103, build_pacs008
    from speed import eval_queries, percentile

    from sanctions.matching.normalise import warm_taggers
    from sanctions.payments import PaymentScreener, parse_message
    from sanctions.screening import Screener
    from sanctions.screening.batch import ColumnMap, query_chunks, read_rows
    from sanctions.store import Store

    assert Path(sys.modules["sanctions"].__file__).is_relative_to(root)
    screener = Screener(Store.open(db))
    screener.refresh()
    warm_taggers()
    index = screener.index
    queries = eval_queries(n_queries, offset=5000)
    payments = PaymentScreener(screener, audit=False)
    payments.find_names("warm up")  # the free-text gazetteer, built once per process
    gen = Generator(screener)
    texts = []
    for n in range(n_messages):
        parts = gen.clean()
        texts.append(build_mt103(parts, n) if n % 2 == 0 else build_pacs008(parts, n))
    messages = [parse_message(text, f"m{n}") for n, text in enumerate(texts)]
    customers = Path(os.environ.get("TMPDIR", "/tmp")) / f"speed-ab-file-{os.getpid()}.csv"
    write_records(customers, file_warm + rounds * file_rows, plant_every=100)
    header, rows = read_rows(customers)
    chunks = [q for chunk in query_chunks(rows, ColumnMap().resolve(header)) for q in chunk]
    customers.unlink()
    warm_rows, file_slices = chunks[:file_warm], []
    for n in range(rounds):
        file_slices.append(chunks[file_warm + n * file_rows : file_warm + (n + 1) * file_rows])

    def timed(items: list[Any], work: Any) -> tuple[dict[str, float], list[Any]]:
        times, out = [], []
        for item in items:
            started = time.thread_time()
            out.append(work(item))
            times.append((time.thread_time() - started) * 1000)
        mean = sum(times) / len(times)
        stats = {
            "mean_ms": round(mean, 3),
            "p50_ms": round(percentile(times, 50), 3),
            "p99_ms": round(percentile(times, 99), 3),
            "per_s": round(1000 / mean, 1),
        }
        return stats, out

    def query(cutoff: float | None) -> Any:
        def run(q: dict[str, Any]) -> list[tuple[str, float]]:
            return [(m.record.id, m.score.score) for m in screener.screen(q, cutoff=cutoff).results]

        return run

    def message(msg: Any) -> tuple[str, int]:
        # every name new: the name cache (newer code) or the memo of names (older code) emptied
        cache = getattr(payments, "name_cache", None)
        if cache is not None:
            cache._entries.clear()
        else:
            payments._names.clear()
        result = payments.screen(msg)
        return result.decision, len(result.findings)

    def file_row(item: tuple[int, Any]) -> list[tuple[str, float]]:
        _line, q = item
        if isinstance(q, str):
            return []
        found = screener.screen(q, **FILE_OPTIONS).results
        return [(m.record.id, m.score.score) for m in found]

    print(json.dumps({"ready": index.build_seconds}), flush=True)

    def fresh_caches() -> None:
        # a new object, not .clear(): the file's caches are kept aside between rounds
        index._token_cache = type(index._token_cache)()

    file_caches = None
    for n, _line in enumerate(sys.stdin):
        report: dict[str, Any] = {}
        results = {}
        fresh_caches()
        report["cold"], results["cold"] = timed(queries, query(None))
        report["warm"], _ = timed(queries, query(None))
        fresh_caches()
        report["cold_0.8"], results["cold_0.8"] = timed(queries, query(0.8))
        fresh_caches()
        report["payments"], results["payments"] = timed(messages, message)
        if file_caches is None:
            fresh_caches()
            for item in warm_rows:  # the caches of a long file, kept from now on
                file_row(item)
        else:
            index._token_cache = file_caches  # the file goes on where it stopped
        report["file"], results["file"] = timed(file_slices[n % rounds], file_row)
        file_caches = index._token_cache
        report["results"] = results
        print(json.dumps(report), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", type=Path, default=None, help="a copy of the old code")
    parser.add_argument("--new", type=Path, default=HERE.parent)
    parser.add_argument("--db", default="/tmp/sanctions-bench.db")
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--file-warm", type=int, default=20_000, help="file rows before round 1")
    parser.add_argument("--file-rows", type=int, default=2_000, help="file rows per round")
    parser.add_argument("--worker", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(
            args.worker,
            args.db,
            args.queries,
            args.messages,
            args.file_warm,
            args.file_rows,
            args.rounds,
        )
        return
    if args.old is None:
        parser.error("--old DIR (a copy of the old code) is required")
    sys.path.insert(0, str(HERE))
    from _lists import load_all_lists

    load_all_lists(args.db)
    sides = {}
    for label, root in (("old", args.old), ("new", args.new)):
        env = dict(os.environ, PYTHONHASHSEED="0")
        env.setdefault("SANCTIONS_INDEX_CACHE", str(Path("/tmp") / f"speed-ab-cache-{label}"))
        cmd = [sys.executable, __file__, "--worker", str(root.resolve()), "--db", args.db]
        cmd += ["--queries", str(args.queries), "--messages", str(args.messages)]
        cmd += ["--file-warm", str(args.file_warm), "--file-rows", str(args.file_rows)]
        cmd += ["--rounds", str(args.rounds)]
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        sides[label] = proc
        ready = json.loads(proc.stdout.readline())
        print(f"{label}: index ready ({ready['ready']:.1f} s build)", file=sys.stderr)
    rounds: list[dict[str, Any]] = []
    for n in range(args.rounds):
        row: dict[str, Any] = {"load": os.getloadavg()[0]}
        for label, proc in sides.items():
            proc.stdin.write("go\n")
            proc.stdin.flush()
            row[label] = json.loads(proc.stdout.readline())
        same = row["old"].pop("results") == row["new"].pop("results")
        row["results_identical"] = same
        rounds.append(row)
        print(json.dumps({"round": n + 1, **row}), file=sys.stderr)
    for proc in sides.values():
        proc.stdin.close()
        proc.wait()
    print(json.dumps({"rounds": rounds, "ratios": ratios(rounds)}, indent=2))


def ratios(rounds: list[dict[str, Any]]) -> dict[str, float]:
    """New over old rate per workload, from each side's best round (least disturbed)."""
    out = {}
    for work in ("cold", "warm", "cold_0.8", "payments", "file"):
        old = min(r["old"][work]["mean_ms"] for r in rounds)
        new = min(r["new"][work]["mean_ms"] for r in rounds)
        out[f"{work}_speed_up"] = round(old / new, 2)
    return out


if __name__ == "__main__":
    main()
