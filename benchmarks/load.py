"""Load benchmark: time and entities/s to load the official lists into a fresh store.

Prints, for the OFAC SDN 2023-12-28 CSV set and for every list under ../shared/data:
seconds, entities/s, and ratios against baselines measured in the same run:

* ``read``: reading the raw bytes (the I/O floor),
* ``parse``: parsing without storing (so load/parse is the store's overhead).

Usage: python benchmarks/load.py [--db URL] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sanctions.sources import detect_format, discover_paths
from sanctions.store import Store

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def read_bytes(path: Path) -> int:
    files = [p for p in path.iterdir() if p.is_file()] if path.is_dir() else [path]
    return sum(len(f.read_bytes()) for f in files)


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


def parse_count(path: Path) -> int:
    fmt = detect_format(path)
    return sum(1 for _ in fmt.parse(path, dataset=fmt.dataset_for(path)))


def bench(paths: list[Path], db: str) -> tuple[int, float, float, float]:
    store = Store.open(db)
    read_s = parse_s = load_s = 0.0
    entities = 0
    for path in paths:
        _, s = timed(read_bytes, path)
        read_s += s
        _, s = timed(parse_count, path)
        parse_s += s
        result, s = timed(store.load, path)
        load_s += s
        entities += result.entity_count
    store.close()
    return entities, read_s, parse_s, load_s


def report(label: str, entities: int, read_s: float, parse_s: float, load_s: float) -> None:
    print(
        f"{label:<28} {entities:>8,} entities  load {load_s:6.2f} s  "
        f"{entities / load_s:>9,.0f} entities/s  | read {read_s:5.2f} s  parse {parse_s:6.2f} s  "
        f"load/parse {load_s / parse_s:4.2f}x  parse/read {parse_s / max(read_s, 1e-9):5.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None, help="store URL (default: a temporary SQLite file)")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sdn = args.data / "us" / "ofac-sdn" / "2023-12-28"
        report("OFAC SDN 2023-12-28", *bench([sdn], args.db or f"{tmp}/sdn.db"))
        paths = discover_paths(args.data)
        label = f"all lists ({len(paths)} loads)"
        report(label, *bench(paths, args.db or f"{tmp}/all.db"))


if __name__ == "__main__":
    main()
