"""New list versions announced to every server over a PostgreSQL store (LISTEN/NOTIFY).

Migration ``0009`` adds a trigger on ``datasets``: whenever a dataset's current
version changes, PostgreSQL sends ``NOTIFY sanctions_versions`` with
``{"dataset": ..., "version": ...}``, delivered when the change commits. A
:class:`VersionListener` holds one connection that LISTENs on that channel and
calls ``on_change`` for each notification, and once after every (re)connection
(a notification sent while it was away is lost: the caller re-reads the store).

The listener is a shortcut, not the source of truth: servers keep polling the
store (the fallback while the listener is disconnected, and the only way on
SQLite). A lost connection is retried with a growing delay (up to 30 s).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from sanctions import redact

log = logging.getLogger(__name__)

__all__ = ["CHANNEL", "VersionListener", "can_listen"]

CHANNEL = "sanctions_versions"
MAX_BACKOFF = 30.0


def can_listen(engine: Engine) -> bool:
    """Whether the store announces new versions (PostgreSQL) or must be polled (SQLite)."""
    return engine.dialect.name == "postgresql"


class VersionListener:
    """A thread that LISTENs for new current versions and calls ``on_change(payload)``."""

    def __init__(self, engine: Engine, on_change: Callable[[dict[str, Any]], None]) -> None:
        self.url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.on_change = on_change
        self.connected = threading.Event()
        self.received = 0
        self.error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="version-listener", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.5
            except Exception as exc:  # noqa: BLE001 - reconnect; polling covers the gap
                self.connected.clear()
                reason = redact.redact_text(f"{exc.__class__.__name__}: {exc}", self.url)
                self.error = " ".join(reason.split())[:300]
                log.warning("version announcements lost (%s); polling until reconnected", reason)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    def _listen(self) -> None:
        import psycopg  # the PostgreSQL driver the store uses

        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.connected.set()
            self.error = None
            log.info("listening for new list versions on %s", CHANNEL)
            self.on_change({})  # anything committed while we were not listening
            while not self._stop.is_set():
                for note in conn.notifies(timeout=1.0):
                    self.received += 1
                    self.on_change(_payload(note.payload))
        self.connected.clear()


def _payload(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {"raw": text}
    return value if isinstance(value, dict) else {"raw": text}
