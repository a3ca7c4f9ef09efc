"""Signed cache files: a cache folder that others can write is not a way to run code.

The index and watch-prefilter caches are Python pickles (fast to load, and the
objects are ours). Unpickling runs code named in the file, so whoever can write
the cache folder could run code in ``sanctions screen``. Every cache file is
therefore signed with HMAC-SHA256 under a key kept *outside* the cache folder:

* the key is 32 random bytes in ``<data dir>/cache.key`` (or the file named by
  ``SANCTIONS_CACHE_KEY_FILE``), created with mode 0600 on first use;
* :func:`write_cache` writes ``MAGIC + HMAC(key, payload) + payload`` to a
  temporary file and renames it into place (a reader never sees half a file);
* :func:`read_cache` reads the whole file into memory, checks the signature in
  constant time and unpickles only bytes it has just verified (no window where
  the file could be swapped between check and load). A missing, unsigned,
  tampered or foreign-key file gives ``None``: the caller rebuilds, logged.

A key file that other users can read or write, or that lies inside the cache
folder, is not trusted: caching is then off (logged) rather than unsafe.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import logging
import os
import pickle
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["KEY_FILE", "MAGIC", "cache_key_path", "gc_paused", "read_cache", "write_cache"]

log = logging.getLogger(__name__)

KEY_FILE = "cache.key"
MAGIC = b"SANCTIONS-CACHE-1\n"
_DIGEST = hashlib.sha256().digest_size


def cache_key_path() -> Path:
    """Where the signing key lives (``SANCTIONS_CACHE_KEY_FILE`` or the data dir)."""
    env = os.environ.get("SANCTIONS_CACHE_KEY_FILE")
    if env:
        return Path(env).expanduser()
    from sanctions.config import data_dir

    return data_dir() / KEY_FILE


def _key(cache_folder: Path) -> bytes | None:
    """The signing key (created 0600 if missing); None when it cannot be trusted."""
    path = cache_key_path()
    if path.resolve().parent == cache_folder.resolve():
        log.warning("cache key %s is inside the cache folder: caching is off", path)
        return None
    if not path.exists():
        try:
            _create_key(path)
        except OSError as exc:
            log.warning("cannot create the cache key %s (%s): caching is off", path, exc)
            return None
    try:
        info = path.stat()
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("cache key %s is open to other users: caching is off", path)
            return None
        key = path.read_bytes()
    except OSError as exc:
        log.warning("cannot read the cache key %s (%s): caching is off", path, exc)
        return None
    if len(key) < 32:
        log.warning("cache key %s is too short: caching is off", path)
        return None
    return key


def _create_key(path: Path) -> None:
    """Write a new random key (0600), whole before its name appears.

    ``os.link`` fails when the name exists, so of two racing processes the first wins
    and the second reads the first one's key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _sign(key: bytes, payload: bytes | memoryview) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


class _SigningWriter:
    """A file-like sink that signs what passes through (no copy of the pickle in memory)."""

    def __init__(self, out: Any, key: bytes) -> None:
        self.out = out
        self.mac = hmac.new(key, digestmod=hashlib.sha256)

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.out.write(data)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Building or unpickling millions of small objects is much faster without the cyclic GC."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_cache(path: Path, what: str = "cache") -> Any:
    """The object in a signed cache file, or None (missing, unsigned, tampered, unreadable)."""
    if not path.exists():
        return None
    key = _key(path.parent)
    if key is None:
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.warning("%s %s unreadable (%s); rebuilding", what, path, exc)
        return None
    head = len(MAGIC) + _DIGEST
    view = memoryview(data)  # slices without copying a file of hundreds of MB
    signature, payload = view[len(MAGIC) : head], view[head:]
    if not data.startswith(MAGIC) or not hmac.compare_digest(signature, _sign(key, payload)):
        log.warning("%s %s has no valid signature; ignoring it and rebuilding", what, path)
        return None
    try:
        with gc_paused():
            return pickle.loads(payload)  # noqa: S301 - signed by us, checked above
    except Exception as exc:  # noqa: BLE001 - a bad cache file is rebuilt, never fatal
        log.warning("%s %s unreadable (%s); rebuilding", what, path, exc)
        return None


def write_cache(path: Path, obj: Any, what: str = "cache") -> bool:
    """Write ``obj`` as a signed cache file (atomically); False when it could not."""
    key = _key(path.parent)
    if key is None:
        return False
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(MAGIC + bytes(_DIGEST))  # the signature is written once known
            signer = _SigningWriter(fh, key)
            pickle.dump(obj, signer, protocol=pickle.HIGHEST_PROTOCOL)
            fh.seek(len(MAGIC))
            fh.write(signer.mac.digest())
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("cannot write %s %s: %s", what, path, exc)
        tmp.unlink(missing_ok=True)
        return False
    return True
