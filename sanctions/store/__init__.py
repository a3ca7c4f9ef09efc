"""Versioned persistence of the lists (SQLAlchemy Core + Alembic).

Other packages use :class:`Store` and its methods (see ``docs/versions.md``, "Store
contract"), never the tables of :mod:`.schema`; the matcher asks only for an
:class:`~.contract.EntitySource`.
"""

from .contract import EntitySource
from .info import Change, DatasetInfo, Diff, LoadResult, VersionInfo
from .loader import hash_path
from .reads import EntityRef
from .store import Store

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
