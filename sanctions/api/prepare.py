"""Prepare an index in a child process, so that a serving process never does it.

A new version of a big list means normalising tens of thousands of names: seconds
of CPU in pure Python. Done in a server's own watcher thread, it would hold the
GIL against the requests being served. The watcher instead runs

    python -m sanctions.api.prepare VERSION_ID...      (store URL in SANCTIONS_DB)

which builds the index and writes it to the on-disk cache
(:func:`sanctions.matching.index.load_index`); the server then only reads the
cached index. A file lock lets one child work while the other workers' children
wait and then find the cache written.
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import threading
import time

from sanctions.errors import SanctionsError

log = logging.getLogger(__name__)

__all__ = ["prepare_in_child", "main"]

TIMEOUT_SECONDS = 1800


def prepare_in_child(
    db_url: str, version_ids: list[int], stop: threading.Event | None = None
) -> float:
    """Run the child and wait for it; seconds taken. Raises SanctionsError if it fails.

    Setting ``stop`` (the server shuts down) terminates the child.
    """
    started = time.perf_counter()
    env = {**os.environ, "SANCTIONS_DB": db_url}
    cmd = [sys.executable, "-m", "sanctions.api.prepare", *map(str, version_ids)]
    with subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as child:
        while True:
            try:
                _, err = child.communicate(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if (stop is not None and stop.is_set()) or (
                    time.perf_counter() - started > TIMEOUT_SECONDS
                ):
                    child.kill()
                    child.communicate()
                    raise SanctionsError("index preparation stopped") from None
    if child.returncode != 0:
        raise SanctionsError(f"index preparation failed: {err.strip()[-500:]}")
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    from sanctions.matching import cache_dir, load_index
    from sanctions.store import Store

    wanted = {int(a) for a in argv}
    store = Store.open(os.environ["SANCTIONS_DB"], migrate_schema=False)
    versions = [v for v in store.versions() if v.id in wanted]
    with open(cache_dir() / "prepare.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one preparation at a time; the others reuse it
        load_index(store, versions)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
