"""Legible versions: dates and where they came from, field-level diffs, entities as of a version,
the last content of removed entities, and rolling a dataset back to an earlier version.

* **Publication date** of a version: the date the file states in its own metadata
  (``published_from = "file"``: OFAC's Publish_Date, the UN's dateGenerated, OFSI's
  "Last Updated", the workbook date of DFAT's Excel file ...), else the date given
  with ``sanctions load --published`` (``"option"``), else a date in the file or
  folder name (``"path"``: shown, marked as a guess, never used by the older-content
  gate). A ``--published`` date that contradicts the file's own date is refused.
* **Diff details**: the old and new values of every changed field
  (:func:`change_details`).
* **As of a version**: :func:`entity_at` reads an entity as it was in ``vN``;
  :func:`last_listed` gives a removed entity's last content and the version that
  removed it.
* **Rollback** (:func:`rollback`): makes an earlier version's content current
  again as a NEW version (status ``rollback``, ``rollback_of`` = the earlier
  version), its diff against the version it replaces stored like a load's, in one
  transaction with its ``list.rollback`` audit entry. Held, older and rejected
  versions cannot be rolled back to (approve them instead); a rollback that removes
  entities needs ``confirm``. Alerts are never closed because of a rollback (see
  :mod:`sanctions.watch.reconcile`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, literal, select
from sqlalchemy.exc import DBAPIError

from sanctions import audit
from sanctions.errors import FormatError, StoreError
from sanctions.model import Entity
from sanctions.sources import SourceFormat

from . import gates
from . import schema as t

if TYPE_CHECKING:
    from .store import Change, Diff, Store, VersionInfo

__all__ = [
    "FROM_FILE",
    "FROM_OPTION",
    "FROM_PATH",
    "ROLLBACK",
    "FieldChange",
    "change_details",
    "entity_at",
    "field_values",
    "last_listed",
    "parse_published",
    "path_date",
    "resolve_published",
    "rollback",
]

FROM_FILE, FROM_PATH, FROM_OPTION = "file", "path", "option"
ROLLBACK = "rollback"  # the status of a version made by a rollback
# Statuses a rollback may return to: content that was current (or approved) before.
ROLLBACK_TARGETS = (None, gates.ACCEPTED, gates.APPROVED, ROLLBACK)

_SEP = r"[-_.]"
_DATE_IN_NAME = re.compile(
    rf"(?<!\d)((?:19|20)\d\d)(?:{_SEP}(0[1-9]|1[0-2])(?:{_SEP}(0[1-9]|[12]\d|3[01]))?"
    r"|(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]))(?!\d)"
)
_PATH_LEVELS = 3  # the name itself, its folder and the folder above


# -- publication dates ------------------------------------------------------------


def parse_published(text: str) -> str:
    """An ISO date (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) given by a user, checked."""
    value = text.strip()
    for fmt, size in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            continue
        if len(value) == size:
            return value
    raise ValueError(f"{text!r} is not a date (write YYYY-MM-DD, YYYY-MM or YYYY)")


def _name_date(name: str) -> str | None:
    for match in _DATE_IN_NAME.finditer(name):
        year, month, day, month8, day8 = match.groups()
        month, day = month or month8, day or day8
        try:
            date(int(year), int(month), int(day or 1))
        except ValueError:
            continue
        return f"{year}-{month}-{day}" if day else f"{year}-{month}"
    return None


def path_date(path: Path) -> str | None:
    """A date in the file's name, else in its folder's (or the folder above's) name."""
    for part in [path, *path.parents][:_PATH_LEVELS]:
        found = _name_date(part.name)
        if found:
            return found
    return None


def resolve_published(
    fmt: SourceFormat, path: Path, given: str | None = None, *, guess: bool = True
) -> tuple[str | None, str | None]:
    """The publication date of a list file and where it came from (see the module doc).

    ``guess=False`` reads no date from the path (a downloaded file: the path is ours).
    """
    stated = fmt.published(path)
    if given:
        given = parse_published(given)
        if stated and stated[: len(given)] != given:
            raise FormatError(
                f"--published {given} contradicts the date the file states ({stated}); "
                "nothing loaded",
                path,
            )
        return (stated, FROM_FILE) if stated else (given, FROM_OPTION)
    if stated:
        return stated, FROM_FILE
    guessed = path_date(path) if guess else None
    return (guessed, FROM_PATH) if guessed else (None, None)


# -- diff details -----------------------------------------------------------------


@dataclass
class FieldChange:
    """One changed field of an entity: its values before and after."""

    field: str
    old: list[str]
    new: list[str]

    @property
    def removed(self) -> list[str]:
        return [v for v in self.old if v not in self.new]

    @property
    def added(self) -> list[str]:
        return [v for v in self.new if v not in self.old]

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


def _text(value: Any) -> str:
    if hasattr(value, "to_dict"):
        data = value.to_dict()
        return ", ".join(f"{k}={v}" for k, v in data.items() if v not in (None, "", [], False))
    return str(value)


def field_values(entity: Entity, name: str) -> list[str]:
    """The values of one field as :meth:`Entity.diff_properties` names it, as text."""
    if name == "schema":
        return [entity.schema]
    if name == "names":
        return [f"{n.name} ({n.kind})" for n in entity.names]
    if name == "dates":
        return [_text(d) for d in entity.dates]
    if name.startswith("listing."):
        value = getattr(entity.listing, name.split(".", 1)[1], None)
        if value is None:
            return []
        return [_text(v) for v in value] if isinstance(value, list) else [_text(value)]
    return list(entity.properties.get(name, []))


def change_details(store: Store, diff: Diff) -> dict[str, list[FieldChange]]:
    """Entity id -> its changed fields with old and new values, for a diff's changed entities."""
    changed = diff.of_kind("changed")
    if diff.from_version is None or not changed:
        return {}
    with store.engine.connect() as conn:
        old = store._version_map(conn, diff.from_version.id)
        new = store._version_map(conn, diff.to_version.id)
        wanted = [c.entity_id for c in changed if c.entity_id in old and c.entity_id in new]
        blobs = store._blobs(conn, {h for e in wanted for h in (old[e][0], new[e][0])})
    details: dict[str, list[FieldChange]] = {}
    for change in changed:
        if change.entity_id not in wanted:
            continue
        before, after = blobs[old[change.entity_id][0]], blobs[new[change.entity_id][0]]
        fields = [f for f in change.properties if f != "(content)"]
        fields = fields or before.diff_properties(after)
        details[change.entity_id] = [
            FieldChange(f, field_values(before, f), field_values(after, f)) for f in fields
        ]
    return details


# -- entities as of a version -------------------------------------------------------


def _datasets_of(store: Store, entity_id: str) -> list[str]:
    """The datasets whose versions ever held this entity."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(t.versions.c.dataset)
            .distinct()
            .select_from(
                t.version_entities.join(
                    t.versions, t.versions.c.id == t.version_entities.c.version_id
                )
            )
            .where(t.version_entities.c.entity_id == entity_id)
        )
        return sorted(r[0] for r in rows)


def entity_at(store: Store, entity_id: str, ref: str) -> tuple[Entity | None, VersionInfo]:
    """The entity as in version ``ref`` (vN, id or hash prefix) of its dataset.

    Returns ``(None, version)`` when that version does not hold it; raises
    :class:`StoreError` when no dataset ever held it or it has no such version.
    """
    datasets = _datasets_of(store, entity_id)
    if not datasets:
        raise StoreError(f"no entity {entity_id!r} in any version of the store")
    errors = []
    for dataset in datasets:
        try:
            version = store.get_version(dataset, ref)
        except StoreError as exc:
            errors.append(str(exc))
            continue
        return store.get_entity(entity_id, version.id), version
    raise StoreError("; ".join(errors))


def last_listed(store: Store, entity_id: str) -> tuple[Entity, VersionInfo, VersionInfo] | None:
    """A removed entity's last content: (entity, last version listing it, version removing it).

    Only removals by versions that were made current count (not held or rejected ones).
    """
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(t.changes.c.old_hash, t.changes.c.version_id, t.versions.c.dataset)
            .join(t.versions, t.versions.c.id == t.changes.c.version_id)
            .where((t.changes.c.entity_id == entity_id) & (t.changes.c.change == "removed"))
            .order_by(t.versions.c.id.desc())
        ).all()
        blobs = store._blobs(conn, [r.old_hash for r in rows if r.old_hash])
    for row in rows:
        removed_in = store.get_version(row.dataset, row.version_id)
        if removed_in.status not in ROLLBACK_TARGETS or row.old_hash not in blobs:
            continue
        last = (
            store.get_version(row.dataset, removed_in.parent_id)
            if removed_in.parent_id is not None
            else removed_in
        )
        entity = blobs[row.old_hash]
        entity.listing.dataset_version = f"{last.dataset}@v{last.seq}:{last.content_hash[:12]}"
        entity.listing.source_file = last.source_file
        return entity, last, removed_in
    return None


# -- rollback ---------------------------------------------------------------------


def _check_target(dataset: str, target: VersionInfo) -> None:
    if target.current:
        raise StoreError(f"{dataset} v{target.seq} is already the current version")
    if target.status not in ROLLBACK_TARGETS:
        raise StoreError(
            f"{dataset} v{target.seq} is {target.status}: it was never approved, so it cannot "
            "be rolled back to (review it with `sanctions versions pending` and approve it)"
        )


_COPIED = (
    "dataset content_hash format source_file source_url published published_from "
    "source_path entity_count name_count alias_count members"
).split()


def _plan(
    store: Store, conn: Connection, target: VersionInfo, current_id: int, confirm: bool
) -> tuple[Any, list[Change], dict[str, Any], dict[str, int]]:
    """The current row, the changes of going back to ``target``, the maps, the counts."""
    current = conn.execute(select(t.versions).where(t.versions.c.id == current_id)).one()
    old = store._version_map(conn, current_id)
    new = store._version_map(conn, target.id)
    changes = store._compute_changes(conn, old, new)
    counts = {k: sum(1 for c in changes if c.change == k) for k in ("added", "removed", "changed")}
    if counts["removed"] and not confirm:
        gone = [c.entity_id for c in changes if c.change == "removed"]
        sample = ", ".join(gone[:5]) + (", ..." if len(gone) > 5 else "")
        raise StoreError(
            f"rolling {target.dataset} back from v{current.seq} to v{target.seq} removes "
            f"{counts['removed']:,} entities listed now ({sample}); "
            "confirm with --confirm (nothing changed)"
        )
    return current, changes, {"old": old, "new": new}, counts


def _insert_copy(
    conn: Connection, target: VersionInfo, values: dict[str, Any], counts: dict[str, int]
) -> int:
    """A new version row with the target's content and its entities; its id."""
    row = conn.execute(select(t.versions).where(t.versions.c.id == target.id)).one()
    copied = {k: v for k, v in row._mapping.items() if k in _COPIED}
    seq = 1 + int(
        conn.execute(
            select(func.max(t.versions.c.seq)).where(t.versions.c.dataset == target.dataset)
        ).scalar()
        or 0
    )
    inserted = conn.execute(
        insert(t.versions).values(**copied, **values, **counts, seq=seq)
    ).inserted_primary_key
    if inserted is None:
        raise StoreError(f"could not create a version row for {target.dataset}")
    version_id = int(inserted[0])
    ve = t.version_entities
    conn.execute(
        insert(ve).from_select(
            ["version_id", "entity_id", "hash", "schema", "caption"],
            select(
                literal(version_id, ve.c.version_id.type),
                ve.c.entity_id,
                ve.c.hash,
                ve.c.schema,
                ve.c.caption,
            ).where(ve.c.version_id == target.id),
        )
    )
    return version_id


def rollback(
    store: Store,
    dataset: str,
    ref: str | int,
    *,
    actor: str | None = None,
    note: str | None = None,
    confirm: bool = False,
) -> VersionInfo:
    """Make the content of an earlier version of ``dataset`` current again (see module doc)."""
    target = store.get_version(dataset, ref)
    _check_target(dataset, target)
    actor = actor or audit.current_actor()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        with store.engine.begin() as conn:
            current_id = store._lock_dataset(conn, dataset)
            if current_id is None:
                raise StoreError(f"{dataset} has no current version to roll back")
            current, changes, maps, counts = _plan(store, conn, target, current_id, confirm)
            values = {
                "loaded_at": stamp,
                "parent_id": current_id,
                "status": ROLLBACK,
                "rollback_of": target.id,
                "decided_by": actor,
                "decided_at": stamp,
                "gate_reasons": gates.dumps_list([f"rollback to v{target.seq}: {note or '-'}"]),
            }
            version_id = _insert_copy(conn, target, values, counts)
            store._insert_changes(conn, version_id, changes, maps["old"], maps["new"])
            store._make_current(conn, dataset, version_id)
            details = {
                "dataset": dataset,
                "version_id": version_id,
                "to_version": target.id,
                "to_seq": target.seq,
                "previous_current": current_id,
                "previous_seq": current.seq,
                "note": note,
                "confirmed": confirm,
                **counts,
            }
            audit.append(conn, actor, "list.rollback", f"list-version:{version_id}", details)
    except DBAPIError as exc:
        raise StoreError(
            f"could not roll {dataset} back to v{target.seq} "
            f"({exc.orig.__class__.__name__}: {exc.orig}); nothing changed"
        ) from exc
    return store.get_version(dataset, version_id)
