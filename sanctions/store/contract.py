"""What the matcher needs of a store, as a typed Protocol (no database in sight).

:class:`~sanctions.store.Store` satisfies it; so does anything else that streams a
version's entities (a test's list, a Spark worker's file). It lives here, beside the
store that promises it, and holds no implementation: ``sanctions.matching`` types its
``store`` arguments with it and calls nothing else, so the matcher depends on this
one method, not on SQLAlchemy or the store's tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from sanctions.model import Entity

__all__ = ["EntitySource"]


@runtime_checkable
class EntitySource(Protocol):
    """Streams the entities of stored list versions (see :meth:`Store.iter_entities`)."""

    def iter_entities(
        self,
        datasets: Iterable[str] | None = None,
        version_ids: Iterable[int] | None = None,
    ) -> Iterator[Entity]:
        """Entities of the current versions (or of the given versions), streamed."""
        ...
