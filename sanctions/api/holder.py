"""The index each worker serves from, and its swap when a list gets a new version.

A :class:`Snapshot` is immutable: a :class:`~sanctions.screening.Screener` over a
fixed index, the dataset versions it was built from, and per-entity dates. The
:class:`IndexHolder` keeps a reference to the current one. A request takes that
reference once, at its start, and uses it to the end, so a swap never changes
the index under a request in flight.

A background thread polls the store cheaply (``Store.current_version_ids()``, a
few rows) every ``poll_seconds``. When the current versions
differ from the snapshot's, it builds a new snapshot off the request path (the
prepared records of unchanged datasets come from the on-disk cache) and then
replaces the reference: one assignment, atomic in Python. Any process may have
loaded the new version: ``sanctions load``, ``sanctions update``, /updatez, or
another server; every worker of every server notices it by itself. Over
PostgreSQL each worker also LISTENs for the versions the store announces
(:mod:`sanctions.store.announce`) and checks at once, so replicas swap within
moments of each other; the poll stays as the fallback.

Every replica builds the same index from the same versions (records in dataset
order, entities in id order, the same matcher): :attr:`Snapshot.digest` names
it, and /readyz and the ``x-index-digest`` header show it, so an operator can
see that replicas agree.

Screening runs on one thread per worker (:attr:`IndexHolder.executor`): the
index keeps a token cache that is not safe to mutate from several threads, and
the GIL would serialise the work anyway; a queue in front of one thread also
serves requests in arrival order.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sanctions import __version__
from sanctions.matching import ALGORITHM_VERSION, load_index, warm_taggers
from sanctions.screening import Screener
from sanctions.store import Store

from .prepare import prepare_in_child

log = logging.getLogger(__name__)

__all__ = ["Snapshot", "IndexHolder", "EntityDates"]

T = TypeVar("T")
EntityDates = tuple[str | None, str | None]  # (first_seen, last_change)
CHILD_MIN_ENTITIES = 2000  # changed entities from which a child process prepares the index


def _iso(value: str | None) -> str | None:
    """A stored timestamp as yente writes them: ISO seconds, no time zone."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Snapshot:
    """One immutable generation of the served index."""

    screener: Screener
    key: tuple[tuple[str, int], ...]  # (dataset, current version id), sorted
    versions: dict[str, Any]  # dataset -> VersionInfo
    dates: dict[str, EntityDates]
    built_at: str
    build_seconds: float
    generation: int = 0
    last_seen: dict[str, str | None] = field(default_factory=dict)  # dataset -> loaded_at

    @property
    def records(self) -> list[Any]:
        return self.screener.index.records

    @property
    def datasets(self) -> list[str]:
        return sorted(self.versions)

    @property
    def digest(self) -> str:
        """Names the served index: the lists' content hashes, the matcher and release
        versions. Replicas serving the same digest give the same answers."""
        text = f"{__version__}|{ALGORITHM_VERSION}|{self.screener.index.key}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def version_labels(self) -> dict[str, str]:
        """Each dataset's served version, as :meth:`version_label` writes it."""
        return {d: label for d in self.datasets if (label := self.version_label(d))}

    def version_label(self, dataset: str) -> str | None:
        """``v3-1a2b3c4d5e6f``: the version number and a prefix of its content hash."""
        info = self.versions.get(dataset)
        return None if info is None else f"v{info.seq}-{info.content_hash[:12]}"

    def entity_dates(self, entity_id: str, dataset: str) -> dict[str, str | None]:
        first, last_change = self.dates.get(entity_id, (None, None))
        return {
            "first_seen": first,
            "last_seen": self.last_seen.get(dataset),
            "last_change": last_change,
        }


def current_key(store: Store) -> tuple[tuple[str, int], ...]:
    """The current version of each dataset: the cheap question the watcher asks."""
    return tuple(sorted(store.current_version_ids().items()))


def _entity_dates(store: Store, version_ids: list[int]) -> dict[str, EntityDates]:
    """First and last change of every entity, from the stored diffs of its dataset."""
    dates = store.entity_change_dates(version_ids)
    return {eid: (_iso(first), _iso(last)) for eid, (first, last) in dates.items()}


def build_snapshot(
    store: Store,
    key: tuple[tuple[str, int], ...],
    generation: int,
    old: Snapshot | None = None,
    stop: threading.Event | None = None,
) -> Snapshot:
    """Build a new snapshot for the given current versions (slow: off the request path).

    When the versions that changed since ``old`` hold many entities, the index is
    prepared in a child process (see :mod:`.prepare`) and only read from the cache
    here; the first build, with nothing to serve yet, runs in this process.
    """
    started = time.perf_counter()
    wanted = {vid for _, vid in key}
    versions = {v.dataset: v for v in store.versions() if v.id in wanted}
    if old is not None:
        changed = [
            v for d, v in versions.items() if getattr(old.versions.get(d), "id", None) != v.id
        ]
        if sum(v.entity_count for v in changed) >= CHILD_MIN_ENTITIES:
            url = store.private_url()
            child = prepare_in_child(url, sorted(wanted), stop)
            log.info("index prepared in a child process in %.1fs", child)
    index = load_index(store, list(versions.values()))
    screener = Screener(index=index)
    dates = _entity_dates(store, sorted(wanted))
    seconds = time.perf_counter() - started
    log.info("index generation %d: %d records in %.2fs", generation, len(index), seconds)
    return Snapshot(
        screener=screener,
        key=key,
        versions=versions,
        dates=dates,
        built_at=datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        build_seconds=round(seconds, 3),
        generation=generation,
        last_seen={d: _iso(v.loaded_at) for d, v in versions.items()},
    )


class IndexHolder:
    """Holds the current :class:`Snapshot`; a watcher thread swaps in new ones."""

    def __init__(
        self,
        store: Store,
        poll_seconds: float = 2.0,
        listen: bool = True,
        warm_taggers: bool = False,
    ) -> None:
        self.store = store
        self.poll_seconds = poll_seconds
        self.warm_taggers = warm_taggers
        self.announcements = 0
        self.listener = store.version_listener(self._announced) if listen else None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screen")
        self.error: str | None = None
        self.swaps = 0
        self._snapshot: Snapshot | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._build_lock = threading.Lock()
        self._executor_closed = False

    @property
    def snapshot(self) -> Snapshot | None:
        """The current snapshot (None until the first build finished)."""
        return self._snapshot

    def refresh(self) -> bool:
        """Build and swap in a new snapshot if the current versions changed; True if swapped."""
        with self._build_lock:
            key = current_key(self.store)
            old = self._snapshot
            if old is not None and old.key == key:
                return False
            generation = 0 if old is None else old.generation + 1
            if old is None and self.warm_taggers:
                # Listed words need no look-up (the index carries their symbols); a word
                # no list holds reads the person-name symbol table and rigour's
                # organisation tagger, loaded once per process (about 0.1 s with the
                # table cached, a few seconds when it is built): on request, before the
                # worker is ready rather than at a client's query.
                warm_taggers()
            new = build_snapshot(self.store, key, generation, old, self._stop)
            self._snapshot = new  # the swap: requests that started earlier keep `old`
            self.swaps += old is not None
            self.error = None
        # The index is long-lived: keep its objects out of the cyclic GC's scans (a full
        # collection over them would pause requests). The old one is freed by refcount.
        gc.freeze()
        return True

    @property
    def announce(self) -> str:
        """How this worker learns of new versions: ``listen`` (announced, and polled),
        ``poll`` (SQLite), or ``poll (listener disconnected)``."""
        if self.listener is None:
            return "poll"
        return "listen" if self.listener.connected.is_set() else "poll (listener disconnected)"

    def _announced(self, payload: dict[str, Any]) -> None:
        if payload:
            self.announcements += 1
            log.info("new list version announced: %s", payload)
        self.wake()

    def wake(self) -> None:
        """Check for new versions now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        """Start the watcher thread (it builds the first snapshot, then polls)."""
        if self._thread is not None:
            return
        if self._executor_closed:
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screen")
            self._executor_closed = False
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="index-watcher", daemon=True)
        self._thread.start()
        if self.listener is not None:
            self.listener.start()

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self.executor.shutdown(wait=False, cancel_futures=True)
        self._executor_closed = True

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
            except Exception as exc:  # noqa: BLE001 - keep serving the old index, say why
                self.error = f"{exc.__class__.__name__}: {exc}"
                log.exception("cannot refresh the index; still serving the previous one")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run CPU-bound screening on the screening thread, without blocking the loop."""
        import asyncio

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, fn, *args)
