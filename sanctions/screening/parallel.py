"""Screening on every core: chunks through forked workers that share one loaded index.

The caller loads the index (and anything else the workers read) *before* calling
:func:`map_ordered`; the workers are forked after that, so they share its memory
pages copy-on-write instead of each loading or unpickling a copy (``gc.freeze``
in the screener keeps the collector from touching those pages). Chunks go in
and come back in input order, with at most ``window`` of them in flight: a file
of millions of rows is streamed through in constant memory.

A worker that dies (killed, out of memory) stops the job with an error instead of
hanging it or leaving a row out: :class:`concurrent.futures.ProcessPoolExecutor`
reports a broken pool, and the caller keeps no partial result.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import resource
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sanctions.errors import SanctionsError

__all__ = [
    "WorkerMemory",
    "WorkerDied",
    "cpu_seconds",
    "default_workers",
    "gc_relaxed",
    "map_ordered",
    "memory_kib",
    "private_kib",
]

T = TypeVar("T")
R = TypeVar("R")

_STATE: dict[str, Any] = {}
_SAMPLED: dict[int, tuple[float, int]] = {}  # pid -> (when, private KiB) last read
MEMORY_EVERY = 2.0  # seconds between two reads of a worker's private memory
# The cyclic GC's thresholds while chunks are screened: the default (700, 10, 10) ran
# ~1,800 young collections per 5,000 rows, 4% of the CPU, for cycles that screening
# hardly makes (the index itself is frozen out of the collector's sight).
GC_THRESHOLDS = (20_000, 10, 10)


class WorkerDied(SanctionsError):
    """A screening worker process ended without finishing its chunk."""


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def memory_kib(every: float = 0.0) -> tuple[int, int]:
    """(peak resident, private) memory of this process in KiB.

    Private memory (``Private_Clean + Private_Dirty`` of ``/proc/self/smaps_rollup``)
    is what a forked worker adds on top of the pages it shares with its parent;
    it is 0 where the kernel does not tell it. Reading it takes tens of ms in a big
    process: with ``every`` > 0 it is read at most once per ``every`` seconds.
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    now = time.monotonic()
    last = _SAMPLED.get(os.getpid())
    if last is not None and now - last[0] < every:
        return peak, last[1]
    private = private_kib()
    _SAMPLED[os.getpid()] = (now, private)
    return peak, private


def private_kib(pid: int | str = "self") -> int:
    """Private memory of a process in KiB (``Private_Clean + Private_Dirty`` of
    ``/proc/<pid>/smaps_rollup``): what it holds that no other process shares;
    0 where the kernel does not tell it."""
    private = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    private += int(line.split()[1])
    except OSError:
        pass
    return private


@dataclass
class WorkerMemory:
    """The largest peak and private memory seen per worker process (KiB), and the CPU
    seconds each had used at its last chunk, by pid."""

    peak: dict[int, int] = field(default_factory=dict)
    private: dict[int, int] = field(default_factory=dict)
    cpu: dict[int, float] = field(default_factory=dict)

    def add(self, pid: int, peak: int, private: int, cpu: float = 0.0) -> None:
        self.peak[pid] = max(peak, self.peak.get(pid, 0))
        self.private[pid] = max(private, self.private.get(pid, 0))
        self.cpu[pid] = max(cpu, self.cpu.get(pid, 0.0))

    def summary(self) -> dict[str, Any]:
        """Workers seen, the largest peak/private memory of one worker (MiB), and each
        worker's peak, private memory (MiB) and CPU seconds."""
        each = [
            {
                "peak_rss_mib": round(self.peak[pid] / 1024, 1),
                "private_mib": round(self.private[pid] / 1024, 1),
                "cpu_seconds": round(self.cpu.get(pid, 0.0), 2),
            }
            for pid in sorted(self.peak)
        ]
        return {
            "workers": len(self.peak),
            "worker_peak_rss_mib": round(max(self.peak.values(), default=0) / 1024, 1),
            "worker_private_mib": round(max(self.private.values(), default=0) / 1024, 1),
            "per_worker": each,
        }


def cpu_seconds() -> float:
    """CPU seconds (user and system) this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def gc_relaxed() -> Iterator[None]:
    """The cyclic GC runs less often inside (:data:`GC_THRESHOLDS`; forked workers
    inherit it); the thresholds before are restored on leaving."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _call(item: Any) -> tuple[Any, int, int, int, float]:
    result = _STATE["fn"](_STATE["state"], item)
    return (result, os.getpid(), *memory_kib(MEMORY_EVERY), cpu_seconds())


def map_ordered(
    fn: Callable[[Any, T], R],
    items: Iterable[T],
    state: Any,
    workers: int,
    window: int | None = None,
    memory: WorkerMemory | None = None,
) -> Iterator[R]:
    """``fn(state, item)`` for every item, in input order, on ``workers`` processes.

    ``state`` (the loaded index, options...) is inherited by the forked workers,
    not pickled; ``fn`` must be a module-level function. With one worker the items
    are mapped in this process. At most ``window`` items (default 4 per worker)
    are in flight, so a long stream is read only as fast as it is screened.
    """
    with gc_relaxed():
        yield from _map_ordered(fn, items, state, workers, window, memory)


def _map_ordered(
    fn: Callable[[Any, T], R],
    items: Iterable[T],
    state: Any,
    workers: int,
    window: int | None,
    memory: WorkerMemory | None,
) -> Iterator[R]:
    if workers <= 1:
        start = cpu_seconds()
        for item in items:
            result = fn(state, item)
            if memory is not None:
                memory.add(os.getpid(), *memory_kib(MEMORY_EVERY), cpu_seconds() - start)
            yield result
        return
    _STATE.update(fn=fn, state=state)
    window = window or 4 * workers
    pending: deque[Future[tuple[Any, int, int, int, float]]] = deque()
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for item in items:
                pending.append(pool.submit(_call, item))
                if len(pending) >= window:
                    yield _collect(pending.popleft(), memory)
            while pending:
                yield _collect(pending.popleft(), memory)
    except BrokenProcessPool as exc:
        raise WorkerDied(
            "a screening worker died before finishing its rows (killed, or out of memory?): "
            "the job is stopped and its partial results are not kept; try fewer --workers"
        ) from exc
    finally:
        for future in pending:
            future.cancel()
        _STATE.clear()


def _collect(future: Future[tuple[Any, int, int, int, float]], memory: WorkerMemory | None) -> Any:
    result, pid, peak, private, cpu = future.result()
    if memory is not None:
        memory.add(pid, peak, private, cpu)
    return result
