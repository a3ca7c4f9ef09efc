"""Shared parts of the HTTP API load test and benchmark (loopback only).

* a store of the real lists (../shared/data), built once into a template and copied
  for each run, with OFAC SDN at its 2022-04-08 version so that a run can load the
  2023-12-28 version as a live update;
* ``sanctions serve`` subprocesses on a free 127.0.0.1 port;
* a closed-loop load generator (asyncio + httpx) that records every request.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from _lists import load_list

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SANCTIONS = str(Path(sys.executable).parent / "sanctions")
WORK = Path(os.environ.get("SANCTIONS_BENCH_DIR", "/tmp/sanctions-api-bench"))

BASE_LISTS = [
    ("un/consolidated_2026-02-27.xml", None),
    ("us/ofac-sdn/2022-04-08", None),
    ("us/ofac-consolidated/CONS_ENHANCED.ZIP", None),
    ("us/csl/consolidated_2022-04.csv.gz", None),
    ("us/csl/dpl_2023-11.txt", None),
    ("uk/ofsi/ConList_2018-04-13.csv", None),
    ("au/dfat/regulation8_consolidated_2024-11-11.xlsx", None),
    ("ca/sema/sema-lmes_2020-04.xml", None),
    ("eu/fsf-csv/global_excerpt_2018-07-04.csv", None),
]
UPDATE_LIST = "us/ofac-sdn/2023-12-28"
UNLISTED = [
    "John Smith", "Maria Garcia", "Wei Zhang", "Olga Ivanova", "Ahmed Hassan", "Anna Kowalska",
    "Pierre Martin", "Hans Mueller", "Yuki Tanaka", "Fatima Khan", "Carlos Rodriguez",
    "Northwind Trading Ltd", "Blue Harbor Shipping Co", "Acme Industrial Supplies GmbH",
]  # fmt: skip


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def template_store() -> tuple[Path, Path]:
    """(store, index cache) with the base lists loaded and indexed, built once."""
    db, cache = WORK / "template.db", WORK / "template-cache"
    if db.exists() and (WORK / "template.ok").exists():
        return db, cache
    from sanctions.store import Store

    WORK.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["SANCTIONS_INDEX_CACHE"] = str(cache)
    store = Store.open(db)
    for rel, dataset in BASE_LISTS:
        started = time.perf_counter()
        result = load_list(store, SHARED / rel, dataset)
        log(f"loaded {rel}: {result.entity_count} entities ({time.perf_counter() - started:.1f}s)")
    from sanctions.screening import Screener

    started = time.perf_counter()
    count = len(Screener(store).index)
    log(f"index of {count} records prepared and cached ({time.perf_counter() - started:.1f}s)")
    store.close()
    (WORK / "template.ok").write_text("ok")
    return db, cache


def fresh_copy(name: str) -> tuple[Path, Path]:
    """A private copy of the template store and its index cache, for one run."""
    db, cache = template_store()
    run_db, run_cache = WORK / f"{name}.db", WORK / f"{name}-cache"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{run_db}{suffix}").unlink(missing_ok=True)
    shutil.copy(db, run_db)
    shutil.rmtree(run_cache, ignore_errors=True)
    shutil.copytree(cache, run_cache)
    return run_db, run_cache


def create_key(db: Path) -> str:
    from sanctions.api import KeyStore
    from sanctions.store import Store

    store = Store.open(db)
    secret = KeyStore(store.engine).create("bench", "screen", rate_limit=0)[1]
    store.close()
    return secret


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    db: Path, cache: Path, workers: int, poll_seconds: float = 1.0, log_file: Path | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """``sanctions serve`` on a free port, ready; its log to ``log_file`` (-v) if given."""
    port = free_port()
    env = {**os.environ, "SANCTIONS_INDEX_CACHE": str(cache)}
    env["SANCTIONS_API_POLL_SECONDS"] = str(poll_seconds)
    verbose = ["-v"] if log_file else []
    cmd = [
        SANCTIONS,
        *verbose,
        "--db",
        str(db),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    stderr = open(log_file, "wb") if log_file else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen([*cmd, "--workers", str(workers)], env=env, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            # several checks: with 2 workers, each must have built its index
            if all(httpx.get(f"{base}/readyz", timeout=5).status_code == 200 for _ in range(8)):
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not become ready")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def query_pool(db: Path, size: int = 400, seed: int = 7) -> list[dict[str, Any]]:
    """Queries: listed names (some misspelt) and ordinary unlisted names, mixed."""
    from sanctions.store import Store

    rng = random.Random(seed)
    store = Store.open(db)
    listed = [(e.caption, e.schema) for e in store.iter_entities() if e.names]
    store.close()
    picks = rng.sample(listed, min(size // 2, len(listed)))
    queries = []
    for caption, schema in picks:
        name = caption
        if rng.random() < 0.3 and len(name) > 6:  # a typo: two letters swapped
            i = rng.randrange(1, len(name) - 2)
            name = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        queries.append({"schema": schema, "properties": {"name": [name]}})
    while len(queries) < size:
        schema = "Person" if rng.random() < 0.7 else "Company"
        queries.append({"schema": schema, "properties": {"name": [rng.choice(UNLISTED)]}})
    rng.shuffle(queries)
    return queries


@dataclass
class Sample:
    start: float
    end: float
    status: int  # 0: transport error
    generation: int = -1

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


@dataclass
class LoadRun:
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def _client_loop(
    http: httpx.AsyncClient,
    run: LoadRun,
    queries: list[dict[str, Any]],
    batch: int,
    done: Callable[[], bool],
    seed: int,
) -> None:
    rng = random.Random(seed)
    while not done():
        body = {"queries": {f"q{i}": rng.choice(queries) for i in range(batch)}}
        start = time.monotonic()
        try:
            response = await http.post("/match/default", json=body)
            generation = int(response.headers.get("x-index-generation", -1))
            run.samples.append(Sample(start, time.monotonic(), response.status_code, generation))
            if response.status_code != 200:
                run.errors.append(f"{response.status_code}: {response.text[:200]}")
        except httpx.HTTPError as exc:
            run.samples.append(Sample(start, time.monotonic(), 0))
            run.errors.append(f"{exc.__class__.__name__}: {exc}")


async def closed_loop(
    base: str,
    key: str,
    queries: list[dict[str, Any]],
    clients: int,
    seconds: float,
    batch: int = 1,
    done: Callable[[LoadRun], bool] | None = None,
) -> LoadRun:
    """``clients`` concurrent clients, each sending its next request when the last returns,
    for ``seconds`` (or until ``done(run)``, when given)."""
    run = LoadRun()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"ApiKey {key}"}
    until = time.monotonic() + seconds

    def finished() -> bool:
        return done(run) if done is not None else time.monotonic() >= until

    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=120, limits=limits
    ) as http:
        await asyncio.gather(
            *(_client_loop(http, run, queries, batch, finished, seed) for seed in range(clients))
        )
    return run


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarise(samples: list[Sample], seconds: float) -> dict[str, Any]:
    latencies = [s.ms for s in samples]
    return {
        "requests": len(samples),
        "failed": sum(1 for s in samples if s.status != 200),
        "req_per_s": round(len(samples) / seconds, 1) if seconds > 0 else float("nan"),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1) if latencies else float("nan"),
    }


async def load_update(db: str, cache: str | None, delay: float, marks: dict[str, float]) -> None:
    """After ``delay`` s, load the update list with ``sanctions load`` (another process),
    marking ``load_start`` and ``load_end``."""
    await asyncio.sleep(delay)
    marks["load_start"] = time.monotonic()
    env = {**os.environ, **({"SANCTIONS_INDEX_CACHE": cache} if cache else {})}
    proc = await asyncio.create_subprocess_exec(
        SANCTIONS, "--db", db, "load", str(SHARED / UPDATE_LIST), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await proc.communicate()
    marks["load_end"] = time.monotonic()
    if proc.returncode != 0:
        raise RuntimeError(f"sanctions load failed: {err.decode()[-500:]}")
