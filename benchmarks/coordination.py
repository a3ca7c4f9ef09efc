"""Coordination benchmark and pictures, on the real lists of ../shared/data.

    .venv/bin/python benchmarks/coordination.py [--db PATH] [--pictures docs/img]

Prints: the resolution of UN vs UK OFSI vs OFAC SDN vs Australia DFAT with UN
reference numbers hidden (recall of UN-linked pairs, cluster counts), a full
resolve of all lists, and the time of the coverage report against a baseline
measured in the same run (reading every current listing once from the store,
which is what any report that does not use the clusters table must at least do).
With ``--pictures`` it also draws the documentation's PNGs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sanctions.coordination import Resolver, coverage, timeline  # noqa: E402
from sanctions.coordination.evaluate import evaluate_hidden_un  # noqa: E402
from sanctions.store import Store  # noqa: E402


def build_store(path: Path) -> Store:
    from tests.conftest import SHARED_DATA, real_list_paths

    store = Store.open(path)
    for list_path in real_list_paths(SHARED_DATA):
        store.load(list_path)
    return store


def bench_resolution(store: Store) -> None:
    started = time.perf_counter()
    report = evaluate_hidden_un(store)
    seconds = time.perf_counter() - started
    print(f"hidden-UN resolution of {', '.join(report.datasets)}: {report.listings:,} listings")
    print(f"  clusters {report.clusters:,}, merged (2+ listings) {report.merged:,}, {seconds:.1f}s")
    print(f"  recall of UN-linked pairs: {report.found}/{report.pairs} = {report.recall:.4f}")
    print(
        f"  one-to-one pairs: {report.one_to_one_found}/{report.one_to_one_pairs} = "
        f"{report.one_to_one_recall:.4f}"
    )
    for ref, a, b in report.missed:
        print(f"    missed {ref}: {a} ~ {b}")


def bench_coverage(store: Store) -> None:
    started = time.perf_counter()
    n = sum(1 for _ in store.iter_entities())
    baseline = time.perf_counter() - started
    times = []
    for programme in (None, "RUS", "IRN", "AQ"):
        started = time.perf_counter()
        cov = coverage(store, programme=programme)
        times.append(time.perf_counter() - started)
        print(f"  coverage programme={programme}: {cov.subjects:,} subjects, {times[-1]:.3f}s")
    print(
        f"coverage on all lists: {max(times):.3f}s (worst of 4) vs baseline "
        f"{baseline:.3f}s to read the {n:,} current listings once: {baseline / max(times):.1f}x faster"
    )


def draw(store: Store, folder: Path) -> None:
    from sanctions.coordination.plots import plot_coverage, plot_timeline

    folder.mkdir(parents=True, exist_ok=True)
    plot_coverage(coverage(store, programme="RUS"), folder / "coverage-rus.png")
    plot_coverage(coverage(store, schema="Person"), folder / "coverage-persons.png")
    plot_timeline(timeline(store, programme="RUS"), folder / "timeline-rus.png", start="2014-01-01")
    plot_timeline(timeline(store, programme="AQ"), folder / "timeline-aq.png", start="1999-01-01")
    print(f"pictures written to {folder}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=None, help="a store with the real lists loaded")
    parser.add_argument("--pictures", type=Path, default=None, help="draw the docs PNGs here")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    store = Store.open(args.db) if args.db else build_store(Path(tmp.name) / "lists.db")
    bench_resolution(store)
    started = time.perf_counter()
    result = Resolver(store).run(full=True)
    print(
        f"full resolve of every list: {result.listings:,} listings -> {result.clusters:,} clusters "
        f"({result.merged:,} merged), links {result.links}, "
        f"{time.perf_counter() - started:.1f}s"
    )
    bench_coverage(store)
    if args.pictures:
        draw(store, args.pictures)
    tmp.cleanup()


if __name__ == "__main__":
    main()
