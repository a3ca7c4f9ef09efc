"""Versioned persistence of the lists (SQLAlchemy Core + Alembic).

Other packages use :class:`Store` and its methods (see ``docs/versions.md``, "Store
contract"), never the tables of :mod:`.schema`; the matcher asks only for an
:class:`~.contract.EntitySource`.
"""

from .contract import EntitySource
from .store import (
    Change,
    DatasetInfo,
    Diff,
    EntityRef,
    LoadResult,
    Store,
    VersionInfo,
    hash_path,
)

__all__ = [
    "Store",
    "LoadResult",
    "VersionInfo",
    "DatasetInfo",
    "Change",
    "Diff",
    "EntityRef",
    "EntitySource",
    "hash_path",
]
