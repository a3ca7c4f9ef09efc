"""Delta against full re-screening on real list updates (issue 5).

100,000 customers (the 50,000 synthetic people of eval/negatives_synthetic_us.csv,
49,500 more with recombined names and dates, and 500 records built from SDN
entries added between 2022-02-17 and 2022-04-08, with spelling variations)
are screened after each SDN update: 2022-02-17 (first run, full), then
2022-02-24, 2022-02-25, 2022-02-28 and 2022-04-08. After each update the
delta run is timed, then a full run on the same data, which must change
nothing (the delta run's alerts are exactly a full run's). Target: a delta
run for one day's changes takes at most 1/20 of a full run.

    .venv/bin/python benchmarks/rescreen.py [--customers 100000] [--listed 500] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.watch.customers import (  # noqa: E402
    column_map,
    listed_records,
    negative_records,
    sdn_paths,
    write_customers,
)

SHARED = ROOT.parent / "shared" / "data"


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def _open_alerts(watch: Any) -> set[tuple[Any, ...]]:
    return {
        (a.record_id, a.entity_id, a.record_hash, a.entity_hash, a.status, a.score)
        for a in watch.alerts("active")
    }


def run(customers: int, listed: int, workdir: Path) -> dict[str, Any]:
    os.environ.setdefault("SANCTIONS_INDEX_CACHE", str(workdir / "cache"))
    from sanctions.store import Store
    from sanctions.watch import Watch

    rows = listed_records(SHARED, listed)
    rows = negative_records(SHARED, customers - len(rows)) + rows
    path = write_customers(workdir / "customers.csv", rows)
    store = Store.open(workdir / "rescreen.db")
    watch = Watch(store, actor="benchmark")
    paths = sdn_paths(SHARED)
    load, load_s = _timed(store.load, paths[0])
    report, import_s = _timed(watch.import_file, path, column_map())
    first = watch.rescreen(full=True)
    print(f"{report.summary()}", flush=True)
    print(f"SDN {paths[0].parent.name}: loaded in {load_s:.1f} s; {first.summary()}", flush=True)
    steps = []
    for list_path in paths[1:]:
        load, load_s = _timed(store.load, list_path)
        delta = watch.rescreen()
        after_delta = _open_alerts(watch)
        full = watch.rescreen(full=True)
        assert full.raised == full.closed == full.suppressed == 0, full.summary()
        assert _open_alerts(watch) == after_delta
        step = {
            "list": list_path.parent.name,
            "added": load.added,
            "changed": load.changed,
            "removed": load.removed,
            "load_s": round(load_s, 2),
            "delta_s": round(delta.seconds, 2),
            "full_s": round(full.seconds, 2),
            "ratio": round(delta.seconds / full.seconds, 4),
            "delta_raised": delta.raised,
            "delta_closed": delta.closed,
            "delta_candidates": delta.stats.get("prefilter_candidates", 0),
            "active_alerts": len(after_delta),
            "delta_steps": {k: round(v, 2) for k, v in delta.timings.items()},
        }
        steps.append(step)
        print(json.dumps(step), flush=True)
    return {
        "customers": len(rows),
        "import_s": round(import_s, 1),
        "first_full_s": round(first.seconds, 1),
        "first_full_alerts": first.raised,
        "steps": steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--listed", type=int, default=500)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.customers, args.listed, args.workdir or Path(tmp))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"\n{result['customers']:,} customers; first full run {result['first_full_s']} s")
    print(f"{'list':<12}{'+add':>6}{'~chg':>6}{'-rem':>6}{'delta s':>10}{'full s':>10}{'ratio':>9}")
    for s in result["steps"]:
        print(
            f"{s['list']:<12}{s['added']:>6}{s['changed']:>6}{s['removed']:>6}"
            f"{s['delta_s']:>10.2f}{s['full_s']:>10.2f}{s['ratio']:>9.4f}"
        )


if __name__ == "__main__":
    main()
