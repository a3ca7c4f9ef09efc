"""Batch screening at scale: one process vs every core vs Spark local[2] (issue 14).

    .venv/bin/python benchmarks/batch.py --rows 1000000           # the issue's size
    .venv/bin/python benchmarks/batch.py --rows 20000 --json out.json

Every list of ../shared/data is loaded into a store (``--db``, reused when it
exists). The input is synthetic, generated at run time and never kept: the
first and last names of ``eval/negatives_synthetic_us.csv`` paired at random (so
names repeat as little as in a real customer file), with a listed person's name
(``eval/un_people_perturbed.csv``) planted every ``--plant-every`` rows. The
same file is screened by ``screen_file`` on one process and on ``--workers``
processes, then by Spark ``local[2]`` (session start reported apart), all in
one run, so the ratios are measured under the same load.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import multiprocessing
import os
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _lists import SHARED, load_all_lists  # noqa: E402

from sanctions.screening import Screener  # noqa: E402
from sanctions.screening.batch import FILE_CUTOFF, screen_file  # noqa: E402
from sanctions.screening.parallel import default_workers, private_kib  # noqa: E402
from sanctions.store import Store  # noqa: E402

EVAL = SHARED / "eval"
TARGET_RATIO, TARGET_RATE, TARGET_SPARK = 1.8, 2_000.0, 1.5
TARGET_MILLION_SECONDS = 600.0
# What `sanctions screen --file` and Spark screen with by default (the floor pruning and
# the top-k stop both apply); without a cutoff every row would also score near misses.
FILE_OPTIONS = {"limit": 5, "cutoff": FILE_CUTOFF}


def write_records(path: Path, rows: int, plant_every: int, seed: int = 14) -> int:
    """Write ``rows`` synthetic customers; returns how many carry a planted listed name."""
    with open(EVAL / "negatives_synthetic_us.csv", encoding="utf-8") as fh:
        people = list(csv.DictReader(fh))
    with open(EVAL / "un_people_perturbed.csv", encoding="utf-8") as fh:
        listed = [r for r in csv.DictReader(fh) if r["full_name"].strip()]
    rng = random.Random(seed)
    planted = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "full_name", "date_of_birth", "nationality"])
        for i in range(rows):
            if i % plant_every == 0:
                src = listed[rng.randrange(len(listed))]
                name, dob, nat = src["full_name"], src["date_of_birth"], src["nationality"]
                planted += 1
            else:
                first, last = rng.choice(people), rng.choice(people)
                name = f"{first['first_name']} {last['last_name']}"
                dob, nat = first["date_of_birth"], first["nationality"]
            out.writerow([f"c{i}", name, dob, nat])
    return planted


def cpu_with_children() -> float:
    """CPU time of this process and of its finished children (the forked workers)."""
    return sum(cpu_split())


def cpu_split() -> tuple[float, float]:
    """(this process, its finished children) CPU seconds, user and system."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def run_local(db: Path, source: Path, folder: Path, workers: int) -> dict[str, Any]:
    """One local run in a fresh process (spawned): no run inherits another's warm caches."""
    context = multiprocessing.get_context("spawn")  # its worker may fork workers of its own
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_run_local, db, source, folder, workers).result()


def _run_local(db: Path, source: Path, folder: Path, workers: int) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    screener = Screener(Store.open(db))
    started = time.perf_counter()
    screener.index  # noqa: B018 - the index load is reported apart
    index_seconds = time.perf_counter() - started
    out = folder / f"local-{workers}.csv"
    main_before, workers_before = cpu_split()
    marks = Marks(_count_rows(source), f"{workers} worker(s)")
    summary = screen_file(
        screener,
        source,
        out,
        folder / f"local-{workers}.errors",
        options=dict(FILE_OPTIONS),
        workers=workers,
        progress=marks.add,
    )
    main_after, workers_after = cpu_split()
    main_cpu, workers_cpu = main_after - main_before, workers_after - workers_before
    cpu = main_cpu + workers_cpu
    report = summary.to_dict()
    report["second_half"] = marks.second_half()
    report["index_seconds"] = round(index_seconds, 2)
    report["cpu_seconds"] = round(cpu, 1)
    # The main process's share: with workers it reads rows and writes text (and warms the
    # matcher once before the fork); with one process it does everything.
    report["main_cpu_seconds"] = round(main_cpu, 2)
    per_10k = main_cpu * 10_000 / summary.rows if summary.rows else 0.0
    report["main_cpu_seconds_per_10000_rows"] = round(per_10k, 3)
    report["workers_cpu_seconds"] = round(workers_cpu, 1)
    report["rows_per_cpu_second"] = round(summary.rows / cpu, 1) if cpu else 0.0
    out.unlink()
    return report


def _count_rows(source: Path) -> int:
    with open(source, "rb") as fh:
        return sum(1 for _ in fh) - 1


def _live_cpu() -> float:
    """CPU seconds of this process and of its live descendants (forked workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime + sum(_process_cpu(p) for p in _descendants(os.getpid()))


class Marks:
    """Progress of a run: a line on stderr every tenth of the rows, and (rows, wall, CPU)
    at each, from which the rate of the second half of the file is taken (warm word
    caches, no start-up: what each further million rows costs)."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.started, self.points = time.perf_counter(), [(0, 0.0, _live_cpu())]

    def add(self, rows: int) -> None:
        before, self.done = self.done, self.done + rows
        step = max(1, self.total // 10)
        if self.done // step == before // step and self.done < self.total:
            return
        wall = time.perf_counter() - self.started
        self.points.append((self.done, wall, _live_cpu()))
        print(
            f"{self.label}: {self.done:,}/{self.total:,} rows in {wall:.0f}s "
            f"(load {os.getloadavg()[0]:.1f})",
            file=sys.stderr,
            flush=True,
        )

    def second_half(self) -> dict[str, Any]:
        """Rows/s and rows per CPU-second from the mark nearest half-way to the end."""
        half = min(self.points, key=lambda p: abs(p[0] - self.total / 2))
        end = self.points[-1]
        rows, wall, cpu = end[0] - half[0], end[1] - half[1], end[2] - half[2]
        return {
            "rows": rows,
            "rows_per_second": round(rows / wall, 1) if wall > 0 else 0.0,
            "rows_per_cpu_second": round(rows / cpu, 1) if cpu > 0 else 0.0,
        }


def run_spark(db: Path, source: Path, folder: Path, master: str) -> dict[str, Any]:
    from sanctions.spark import screen_files, session

    started = time.perf_counter()
    spark = session(master, **{"spark.ui.enabled": "false"})
    spark.sparkContext.setLogLevel("ERROR")
    session_seconds = time.perf_counter() - started
    cpu = cpu_with_children() + sum(_process_cpu(pid) for pid in _descendants(os.getpid()))
    busy = _machine_busy()
    try:
        summary = screen_files(
            spark, str(source), str(folder / "spark.parquet"), str(db), id_column="id"
        )
        busy = _machine_busy() - busy
        pids = _descendants(os.getpid())
        cpu = cpu_with_children() + sum(_process_cpu(pid) for pid in pids) - cpu
        python = [pid for pid in pids if _is_python(pid)]
        workers = [_peak_mib(pid) for pid in python]
        # Spark's daemon forks the Python workers: a Python process whose parent is one
        roles = {pid: "worker" if _parent(pid) in python else "daemon" for pid in python}
        private = [(roles[pid], _peak_mib(pid), _private_mib(pid)) for pid in python]
        jvm = [_peak_mib(pid) for pid in pids if not _is_python(pid)]
    finally:
        spark.stop()
    return {
        "master": master,
        "session_seconds": round(session_seconds, 2),
        "seconds": round(summary.seconds, 2),
        "rows": summary.rows,
        "alerts": summary.alerts,
        "errors": summary.errors,
        "rows_per_second": round(summary.rows_per_second, 1),
        "counted": summary.counted,
        # driver, JVM and the Python processes alive at the end, and the children they
        # reaped: a Python worker that exited unreaped is missed (too low, then)
        "cpu_seconds": round(cpu, 1),
        # every process of the machine during the job (its own on an idle machine)
        "machine_cpu_seconds": round(busy, 1),
        "rows_per_cpu_second": round(summary.rows / cpu, 1) if cpu else 0.0,
        "python_worker_peak_rss_mib": sorted(workers, reverse=True),
        # (role, peak RSS, own memory not shared with another process) per Python process
        "python_processes_mib": sorted(private, reverse=True),
        "jvm_peak_rss_mib": max(jvm, default=0),
    }


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy since it started (Linux /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _stop_with_children(signum: int, _frame: Any) -> None:
    """Stopped: stop the run's processes too (the spawned run and its forked workers, the
    Spark JVM and its Python workers), which would otherwise go on screening unseen."""
    for pid in _descendants(os.getpid()):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    sys.exit(128 + signum)


def _descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (Linux /proc): Spark's JVM and its Python workers."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            children.setdefault(_parent(int(entry.name)), []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, []))
    return found


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _process_cpu(pid: int) -> float:
    """CPU seconds of a live process and of its reaped children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _peak_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def _private_mib(pid: int) -> float:
    return round(private_kib(pid) / 1024, 1)


def _is_python(pid: int) -> bool:
    try:
        return "python" in Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        return False


def verdicts(report: dict[str, Any]) -> dict[str, Any]:
    one, many = report["single"], report["multi"]
    ratio = many["rows_per_second"] / one["rows_per_second"] if one["rows_per_second"] else 0.0
    out = {
        "multi_vs_single": round(ratio, 2),
        "multi_vs_single_ok": ratio >= TARGET_RATIO,
        "multi_rate_ok": many["rows_per_second"] >= TARGET_RATE,
        "million_seconds_extrapolated": round(1_000_000 / many["rows_per_second"], 0),
    }
    if report["rows"] >= 1_000_000:  # measured, not extrapolated
        out["million_seconds"] = round(many["seconds"] * 1_000_000 / report["rows"], 0)
    # The rest of a million rows at the rate of this run's second half (warm caches).
    steady = many["second_half"]["rows_per_second"]
    if steady and report["rows"] < 1_000_000:
        rest = (1_000_000 - report["rows"]) / steady
        out["million_seconds_from_second_half"] = round(many["seconds"] + rest, 0)
    steady_one = one["second_half"]["rows_per_second"]
    out["multi_vs_single_second_half"] = round(steady / steady_one, 2) if steady_one else 0.0
    # The verdict from a million rows measured, else from the whole run's rate (the second
    # half's marks are too coarse on a small run to decide it: reported, not judged).
    million = out.get("million_seconds") or out["million_seconds_extrapolated"]
    out["million_ok"] = million <= TARGET_MILLION_SECONDS
    # What the cores would do if nothing else ran: rows per CPU-second times the cores.
    out["uncontended_multi_rate"] = round(many["rows_per_cpu_second"] * report["cores"], 0)
    cpu_ratio = one["cpu_seconds"] / many["cpu_seconds"] if many["cpu_seconds"] else 0.0
    out["multi_cpu_vs_single_cpu"] = round(cpu_ratio, 3)  # 1.0: no work added by the workers
    if "spark" in report:
        spark = report["spark"]["seconds"] / many["seconds"]
        out["spark_vs_multi_time"] = round(spark, 2)
        out["spark_ok"] = spark <= TARGET_SPARK
        # the machine's CPU during the Spark job (its processes' own figure can miss a worker)
        cpu = report["spark"]["machine_cpu_seconds"]
        out["spark_machine_cpu_vs_multi_cpu"] = round(cpu / many["cpu_seconds"], 2) if cpu else None
    return out


def _clean(folder: Path, db: Path, keep_folder: bool) -> None:
    """Remove the run's input, outputs and sidecars; a store made in the folder is kept."""
    for path in folder.iterdir():
        if path.name.startswith(db.name):
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    if keep_folder:
        print(f"store kept for the next run: --db {db}", file=sys.stderr)
    else:
        folder.rmdir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--plant-every", type=int, default=100)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--db", type=Path, default=None, help="Store with every list (reused).")
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--json", type=Path, default=None, help="Write the report here too.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, _stop_with_children)

    folder = Path(tempfile.mkdtemp(prefix="sanctions-batch-bench-"))
    db = args.db or folder / "lists.db"
    load_started = time.perf_counter()
    datasets = load_all_lists(db)
    source = folder / "customers.csv"
    planted = write_records(source, args.rows, args.plant_every)
    report: dict[str, Any] = {
        "rows": args.rows,
        "planted_listed_names": planted,
        "datasets": datasets,
        "load_seconds": round(time.perf_counter() - load_started, 1),
        "cores": default_workers(),
    }
    report["load_average_before"] = os.getloadavg()
    report["single"] = run_local(Path(db), source, folder, 1)
    report["multi"] = run_local(Path(db), source, folder, args.workers)
    if not args.no_spark:
        report["spark"] = run_spark(Path(db), source, folder, args.master)
    report["load_average_after"] = os.getloadavg()
    report["targets"] = verdicts(report)
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    _clean(folder, Path(db), keep_folder=not args.db)


if __name__ == "__main__":
    main()
