"""Printing helpers for legible versions: dates with their origin, diff details, past entities.

Used by `lists --versions`, `diff --details` and `show --version` (in :mod:`.lists`).
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from sanctions.store import Store

from .app import console

__all__ = ["dated", "details_json", "history_table", "print_details", "print_past", "rolled_back"]

# Where a date came from: the file's own metadata, a date in its path, `load --published`.
ORIGIN = {"file": "file", "path": "path", "option": "--published"}


def dated(version: Any) -> str:
    """``2024-11-11 (path)``: a version's date and where it came from."""
    if not version.published:
        return "-"
    origin = ORIGIN.get(version.published_from or "file", version.published_from)
    return f"{version.published} ({origin})"


def rolled_back(version: Any, versions: list[Any]) -> str:
    """A version's status; ``rollback to v1`` for a version made by a rollback."""
    if version.rollback_of is None:
        return version.status or ""
    seq = next((v.seq for v in versions if v.id == version.rollback_of), None)
    return f"rollback to v{seq}" if seq is not None else "rollback"


def _values(values: list[str]) -> str:
    return "; ".join(values) if values else "(none)"


def _change(field: Any) -> str:
    """``old -> new`` of the values that differ; ``+ new`` or ``- old`` when only one side."""
    removed, added = field.removed, field.added
    kept = len(field.old) - len(removed)
    same = f"  ({kept} unchanged)" if kept else ""
    if removed and added:
        return f"{_values(removed)} -> {_values(added)}{same}"
    if added:
        return f"+ {_values(added)}{same}"
    if removed:
        return f"- {_values(removed)}{same}"
    return f"{_values(field.old)} -> {_values(field.new)} (order or form)"


def details_json(details: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {eid: [f.to_dict() for f in fields] for eid, fields in details.items()}


def print_details(diff: Any, details: dict[str, Any]) -> None:
    """Each changed entity with its changed fields: old -> new (values in common counted)."""
    for change in diff.of_kind("changed"):
        fields = details.get(change.entity_id)
        if not fields:
            continue
        console.print(f"[yellow]~[/] {escape(change.entity_id)}  {escape(change.caption)}")
        for field in fields:
            console.print(f"    {field.field}: {_change(field)}", highlight=False, markup=False)


def print_past(store: Store, entity_id: str, version: Any, entity: Any) -> bool:
    """The header of an entity shown as of an earlier version; False when it was not in it."""
    current = store.current_version(version.dataset)
    where = f"{version.dataset} v{version.seq}"
    if entity is None:
        console.print(f"{entity_id} is not in {where}.", highlight=False, markup=False)
        return False
    now = " (the current version)" if current is not None and current.id == version.id else ""
    console.print(
        f"As of {where}{now}, published {dated(version)}, loaded {version.loaded_at}:",
        highlight=False,
        markup=False,
    )
    return True


def history_table(history: list[dict[str, Any]]) -> Table:
    table = Table("version", "dataset", "loaded", "change", "fields", title="history")
    for h in history:
        table.add_row(
            f"v{h['seq']}", h["dataset"], h["loaded_at"], h["change"], ", ".join(h["properties"])
        )
    return table
