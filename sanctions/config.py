"""Settings: where the store and downloaded files live, from env vars and defaults.

* ``SANCTIONS_DB``: store location, a file path (SQLite) or a SQLAlchemy URL
  (``sqlite:///...``, ``postgresql://user@host/db``). Default: ``sanctions.db`` in
  the user data directory.
* ``SANCTIONS_DATA_DIR``: where downloaded list files are kept. Default: the user
  data directory (``platformdirs.user_data_dir("sanctions")``).
* ``SANCTIONS_MAX_FILE_SIZE``: largest list file accepted, in bytes (default 2 GiB).
* ``SANCTIONS_CACHE_DIR``: where derived tables are cached (the person-name symbol
  table). Default: the user cache directory (``platformdirs.user_cache_dir("sanctions")``).
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir

from sanctions.errors import ConfigError

__all__ = ["cache_dir", "data_dir", "default_db", "db_url"]


def data_dir() -> Path:
    """The folder for the store and downloaded files (created 0700 if missing)."""
    path = Path(os.environ.get("SANCTIONS_DATA_DIR") or user_data_dir("sanctions", appauthor=False))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """The folder for caches rebuilt from installed data (``SANCTIONS_CACHE_DIR`` or the
    user cache folder); not created here: a cache that cannot be written is only slower."""
    env = os.environ.get("SANCTIONS_CACHE_DIR")
    return Path(env).expanduser() if env else Path(user_cache_dir("sanctions", appauthor=False))


def default_db() -> str:
    """The store location from ``SANCTIONS_DB`` or the default SQLite file."""
    return os.environ.get("SANCTIONS_DB") or str(data_dir() / "sanctions.db")


def db_url(value: str | Path | None = None) -> str:
    """A SQLAlchemy URL for a ``--db`` value: a URL as is, a path as SQLite."""
    text = str(value) if value else default_db()
    if "://" in text:
        scheme = text.split("://", 1)[0]
        if scheme.startswith("postgres"):
            # psycopg 3 is the driver we ship for PostgreSQL.
            return "postgresql+psycopg://" + text.split("://", 1)[1]
        if scheme.startswith("sqlite"):
            return text
        raise ConfigError(
            f"unsupported database URL scheme {scheme!r} (use a path, sqlite:// or postgresql://)"
        )
    path = Path(text).expanduser()
    if path.is_dir():
        raise ConfigError(f"--db {text}: is a folder, expected a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a folder should be, no permission...
        reason = "a file is in the way" if isinstance(exc, FileExistsError) else exc.strerror
        raise ConfigError(
            f"--db {text}: cannot create its folder {path.parent}: {reason or exc}"
        ) from exc
    return f"sqlite:///{path}"
