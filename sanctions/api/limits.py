"""Per-key rate limits: token buckets in this process, or shared through the store.

A bucket holds up to ``burst`` tokens and refills at ``rate`` tokens a second; a
request takes ``cost`` tokens or is refused with the seconds to wait. Two kinds:

* :class:`RateLimiter` keeps its buckets in this process's memory. Right for one
  process over SQLite (the default there): with ``--workers N`` or N servers, a
  key would get up to N times its rate.
* :class:`SharedRateLimiter` keeps them in the store's ``rate_limits`` table, one
  row per bucket, refilled and taken in **one** ``INSERT ... ON CONFLICT DO UPDATE
  ... RETURNING`` statement: the row lock makes concurrent takes from any number of
  replicas serialise, so a key gets its rate across all of them. Time is the
  database's clock (``now()``), so hosts with skewed clocks agree.
  The default on PostgreSQL.

Fail closed: when the shared store cannot be reached, :meth:`SharedRateLimiter.take`
raises :class:`LimiterUnavailable` and the API answers 503, never serves unlimited.
``SANCTIONS_API_RATE_STORE`` chooses: ``auto`` (shared on PostgreSQL, memory on
SQLite), ``store`` (shared, also on SQLite: one row write per request) or ``memory``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Engine, case, delete, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from sanctions import redact
from sanctions.errors import ConfigError, SanctionsError

from .tables import rate_limits

log = logging.getLogger(__name__)

__all__ = [
    "RATE_STORES",
    "Limiter",
    "LimiterUnavailable",
    "RateLimiter",
    "SharedRateLimiter",
    "bucket_size",
    "make_limiter",
]

RATE_STORES = ("auto", "store", "memory")
MAX_BUCKETS = 100_000  # in-memory buckets kept before idle ones are forgotten
PRUNE_EVERY = 600.0  # seconds between two sweeps of idle shared buckets (per process)
IDLE_SECONDS = 86_400.0  # a shared bucket untouched this long is full again: deleted


class LimiterUnavailable(SanctionsError):
    """The shared rate limits cannot be read or written (the store is unreachable)."""


class Limiter(Protocol):
    shared: bool  # True: asks the store (blocking I/O: call it off the event loop)

    def take(self, key: Any, rate: float | None = None, cost: float = 1.0) -> float: ...

    def wait(self, key: Any, rate: float | None = None) -> float: ...

    def check(self) -> None:
        """Raise :class:`LimiterUnavailable` if the limiter cannot answer now."""


def bucket_size(default_rate: float, burst: float, floor: float, rate: float, cost: float) -> float:
    """A key's burst: the server's ``burst`` scaled to the key's own rate, never under
    ``floor`` or ``cost`` (a bucket must hold the largest request)."""
    scaled = burst * rate / default_rate if default_rate else burst
    return max(scaled, floor, cost)


class RateLimiter:
    """Token buckets in memory, one per key: ``rate`` tokens per second, ``burst`` at once
    (scaled to a key's own rate, never under ``floor``: a bucket must hold the largest
    request)."""

    shared = False

    def __init__(
        self,
        rate: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,
        floor: float = 1.0,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.floor = floor
        self.clock = clock  # injectable, so tests need not wait for real time to pass
        self._buckets: dict[Any, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: Any, rate: float | None = None, cost: float = 1.0) -> float:
        """0.0 if the request may go ahead, else the seconds to wait before retrying."""
        rate = self.rate if rate is None else rate
        if rate <= 0:
            return 0.0
        burst = bucket_size(self.rate, self.burst, self.floor, rate, cost)
        now = self.clock()
        with self._lock:
            if len(self._buckets) >= MAX_BUCKETS and key not in self._buckets:
                self._prune(now, burst / rate)
            tokens, last = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (cost - tokens) / rate

    def _prune(self, now: float, refill_seconds: float) -> None:
        """Forget buckets idle long enough to be full again (many client addresses)."""
        idle = [k for k, (_, last) in self._buckets.items() if now - last > refill_seconds]
        for key in idle:
            del self._buckets[key]

    def wait(self, key: Any, rate: float | None = None) -> float:
        """The seconds before ``key`` may take one token (0.0: now), without taking it."""
        rate = self.rate if rate is None else rate
        if rate <= 0:
            return 0.0
        with self._lock:
            if key not in self._buckets:
                return 0.0
            tokens, last = self._buckets[key]
        tokens = tokens + (self.clock() - last) * rate
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate

    def check(self) -> None:
        """Buckets in memory are always there."""


def _db_now(dialect: str) -> ColumnElement[Any]:
    """The database's clock in seconds since the epoch (sub-second)."""
    if dialect == "postgresql":  # one statement, its own transaction: now() is its start
        return func.extract("epoch", func.now())
    return (func.julianday("now") - 2440587.5) * 86400.0  # SQLite: ms, fixed per statement


def _smaller(a: ColumnElement[Any], b: Any) -> ColumnElement[Any]:
    return case((a < b, a), else_=b)  # portable LEAST()


class SharedRateLimiter:
    """Token buckets in the store's ``rate_limits`` table, shared by every server over it.

    ``prefix`` names the kind of bucket (``req``, ``work``): the row is ``prefix:key``.
    """

    shared = True

    def __init__(
        self, engine: Engine, rate: float, burst: float, floor: float = 1.0, prefix: str = "req"
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.floor = floor
        self.prefix = prefix
        self.dialect = engine.dialect.name
        if self.dialect not in ("postgresql", "sqlite"):
            raise SanctionsError(
                f"shared rate limits need PostgreSQL or SQLite, not {self.dialect}"
            )
        # PostgreSQL: one statement per take, committed by itself (no BEGIN/COMMIT round
        # trips); SQLite: the store's own BEGIN (see Store.open), then COMMIT
        self.autocommit = self.dialect == "postgresql"
        self.engine = (
            engine.execution_options(isolation_level="AUTOCOMMIT") if self.autocommit else engine
        )
        self._next_prune = 0.0

    def _bucket(self, key: Any) -> str:
        return f"{self.prefix}:{key}"

    def _statement(self, bucket: str, rate: float, burst: float, cost: float) -> Any:
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        now = _db_now(self.dialect)
        row = rate_limits.c
        elapsed = case((now > row.updated_at, now - row.updated_at), else_=0.0)
        refilled = _smaller(row.tokens + elapsed * literal(rate), literal(burst))
        granted = refilled >= literal(cost)
        stmt = insert(rate_limits).values(
            bucket=bucket, tokens=burst - cost, updated_at=now, granted=True
        )
        return stmt.on_conflict_do_update(
            index_elements=[row.bucket],
            set_={
                "tokens": case((granted, refilled - literal(cost)), else_=refilled),
                "updated_at": case((now > row.updated_at, now), else_=row.updated_at),
                "granted": granted,
            },
        ).returning(row.tokens, row.granted)

    def take(self, key: Any, rate: float | None = None, cost: float = 1.0) -> float:
        """0.0 if the request may go ahead, else the seconds to wait before retrying.

        Raises :class:`LimiterUnavailable` when the store cannot be reached.
        """
        rate = self.rate if rate is None else rate
        if rate <= 0:
            return 0.0
        burst = bucket_size(self.rate, self.burst, self.floor, rate, cost)
        stmt = self._statement(self._bucket(key), rate, burst, cost)
        tokens, granted = self._execute(lambda conn: conn.execute(stmt).one())
        self._maybe_prune()
        return 0.0 if granted else max(cost - float(tokens), 0.0) / rate

    def wait(self, key: Any, rate: float | None = None) -> float:
        """The seconds before ``key`` may take one token (0.0: now), without taking it."""
        rate = self.rate if rate is None else rate
        if rate <= 0:
            return 0.0
        row = rate_limits.c
        query = select(row.tokens, _db_now(self.dialect) - row.updated_at).where(
            row.bucket == self._bucket(key)
        )
        found = self._execute(lambda conn: conn.execute(query).first())
        if found is None:
            return 0.0
        tokens = float(found[0]) + max(float(found[1]), 0.0) * rate
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate

    def check(self) -> None:
        """Read the shared buckets' table once: :class:`LimiterUnavailable` if it cannot be."""
        self._execute(lambda conn: conn.execute(select(rate_limits.c.bucket).limit(1)).all())

    def _execute(self, work: Callable[[Any], Any]) -> Any:
        """Run ``work(conn)``; once more on a fresh connection if the first one was dead
        (a restarted database); :class:`LimiterUnavailable` if that fails too."""
        for attempt in (1, 2):
            try:
                with self.engine.connect() if self.autocommit else self.engine.begin() as conn:
                    return work(conn)
            except DBAPIError as exc:
                if attempt == 1 and exc.connection_invalidated:
                    continue
                raise self._unavailable(exc) from None
            except SQLAlchemyError as exc:
                raise self._unavailable(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _unavailable(self, exc: Exception) -> LimiterUnavailable:
        cause = getattr(exc, "orig", None) or exc
        reason = " ".join(f"{type(cause).__name__}: {cause}".split())
        url = self.engine.url.render_as_string(hide_password=False)
        reason = redact.redact_text(reason, url)[:300]
        log.error("shared rate limits unavailable (%s): refusing requests", reason)
        return LimiterUnavailable(f"the shared rate limits cannot be checked ({reason})")

    def _maybe_prune(self) -> None:
        """Now and then, delete buckets idle for a day (they would be full again)."""
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY
        row = rate_limits.c
        stale = delete(rate_limits).where(
            row.updated_at < _db_now(self.dialect) - IDLE_SECONDS,
            row.bucket.like(f"{self.prefix}:%"),
        )
        try:
            with self.engine.connect() if self.autocommit else self.engine.begin() as conn:
                conn.execute(stale)
        except SQLAlchemyError as exc:  # housekeeping only: the next sweep tries again
            log.warning("cannot prune idle rate-limit buckets: %s", exc.__class__.__name__)


def make_limiter(
    mode: str, engine: Engine, rate: float, burst: float, floor: float = 1.0, prefix: str = "req"
) -> Limiter:
    """The limiter that ``mode`` (``auto``, ``store``, ``memory``) asks for over ``engine``."""
    if mode not in RATE_STORES:
        raise ConfigError(
            f"SANCTIONS_API_RATE_STORE={mode!r}: expected one of {', '.join(RATE_STORES)}"
        )
    shared = mode == "store" or (mode == "auto" and engine.dialect.name == "postgresql")
    if shared:
        return SharedRateLimiter(engine, rate, burst, floor=floor, prefix=prefix)
    return RateLimiter(rate, burst, floor=floor)
