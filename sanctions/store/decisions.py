"""An admin's decision on a version the gates held: approve (make it current) or reject.

Both are written in one transaction with their audit entry (``list.approved``,
``list.rejected``). Approving a version whose parent is no longer the current
version first recomputes its stored diff against the current one, so that delta
re-screening and ``sanctions diff`` see what actually changed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import DBAPIError

from sanctions import audit
from sanctions.errors import StoreError

from . import gates
from . import schema as t

if TYPE_CHECKING:
    from .store import Store, VersionInfo

__all__ = ["decide"]


def decide(
    store: Store,
    dataset: str,
    ref: str | int,
    *,
    approve: bool,
    actor: str | None = None,
    note: str | None = None,
) -> VersionInfo:
    """Approve or reject a held (or older) version of ``dataset``; return it as it now is."""
    version = store.get_version(dataset, ref)
    if not version.pending:
        state = "current" if version.current else (version.status or "accepted")
        raise StoreError(
            f"{dataset} v{version.seq} is not pending approval (it is {state}); "
            "see `sanctions versions pending`"
        )
    actor = actor or audit.current_actor()
    try:
        with store.engine.begin() as conn:
            current_id = store._lock_dataset(conn, dataset)
            row = conn.execute(select(t.versions).where(t.versions.c.id == version.id)).one()
            if row.status not in gates.PENDING:  # decided by someone else meanwhile
                raise StoreError(f"{dataset} v{version.seq} was {row.status} meanwhile")
            status = gates.APPROVED if approve else gates.REJECTED
            details: dict[str, Any] = {
                "dataset": dataset,
                "seq": version.seq,
                "was": row.status,
                "reasons": gates.loads_list(row.gate_reasons) or [],
                "note": note,
                "previous_current": current_id,
            }
            if approve:
                if current_id is not None and row.parent_id != current_id:
                    details["diff"] = _rebase(store, conn, version.id, current_id)
                store._make_current(conn, dataset, version.id)
            conn.execute(
                update(t.versions)
                .where(t.versions.c.id == version.id)
                .values(
                    status=status,
                    decided_by=actor,
                    decided_at=datetime.now(UTC).isoformat(timespec="seconds"),
                )
            )
            audit.append(conn, actor, f"list.{status}", f"list-version:{version.id}", details)
    except DBAPIError as exc:
        raise StoreError(
            f"could not record the decision on {dataset} v{version.seq} "
            f"({exc.orig.__class__.__name__}: {exc.orig}); nothing changed"
        ) from exc
    return store.get_version(dataset, version.id)


def _rebase(store: Store, conn: Connection, version_id: int, parent_id: int) -> dict[str, int]:
    """Recompute a version's stored diff against ``parent_id`` (the current version)."""
    old = store._version_map(conn, parent_id)
    new = store._version_map(conn, version_id)
    changes = store._compute_changes(conn, old, new)
    conn.execute(delete(t.changes).where(t.changes.c.version_id == version_id))
    store._insert_changes(conn, version_id, changes, old, new)
    counts = {k: sum(1 for c in changes if c.change == k) for k in ("added", "removed", "changed")}
    conn.execute(
        update(t.versions)
        .where(t.versions.c.id == version_id)
        .values(parent_id=parent_id, **counts)
    )
    return counts
