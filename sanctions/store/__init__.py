"""Versioned persistence of the lists (SQLAlchemy Core + Alembic)."""

from .store import Change, DatasetInfo, Diff, LoadResult, Store, VersionInfo, hash_path

__all__ = ["Store", "LoadResult", "VersionInfo", "DatasetInfo", "Change", "Diff", "hash_path"]
