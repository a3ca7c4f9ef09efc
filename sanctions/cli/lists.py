"""Commands for the lists: load, update, lists, diff, show, export."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from sanctions.csvsafe import csv_writer
from sanctions.errors import SanctionsError, StoreError
from sanctions.sources.ftm import export_entity
from sanctions.store import Store

from .app import console, db_option, err_console, main, open_store, print_json, require_datasets
from .history import (
    dated,
    details_json,
    history_table,
    print_details,
    print_past,
    rolled_back,
)
from .versions import gate_options, gate_policy


def _progress(disable: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} entities"),
        TimeElapsedColumn(),
        console=err_console,
        disable=disable,
        transient=True,
    )


@main.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--dataset", default=None, help="Dataset id (default: detected from the content).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse a file holding any value the parser could not place (nothing is loaded).",
)
@click.option(
    "--published",
    default=None,
    metavar="YYYY-MM-DD",
    help="Publication date of files that state none (refused if a file states another).",
)
@gate_options
@db_option
@click.pass_context
def load_cmd(
    ctx: click.Context,
    paths: tuple[Path, ...],
    dataset: str | None,
    as_json: bool,
    strict: bool,
    published: str | None,
    db_sub: str | None,
    **gate_opts: Any,
) -> None:
    """Load list files (or folders holding a file set) as new dataset versions.

    The format is detected from the content. A folder that is not one file set
    (e.g. ../shared/data) loads every list found below it, in path order. Loading
    the same content again is a no-op. A file that fails to parse leaves the
    previous version current. Values a parser cannot place are kept as text in
    the entity's notes and counted in the report; with --strict they fail the file.

    Each version gets a publication date: the one the file states, else --published,
    else a date in the file or folder name (marked "path"; docs/versions.md).

    Gates (docs/security/gates.md): content of another list than --dataset is
    refused; older content is stored as history; a version that drops too many
    entities, names or aliases, or a file of its set, is held until
    `sanctions versions approve`. Refused, older and held versions make the exit
    code 1 and leave the current version in use.
    """
    from sanctions.sources import discover_paths

    policy = gate_policy(gate_opts)
    store = open_store(ctx, db_sub)
    results: list[dict[str, Any]] = []
    failed = 0
    expanded = [p for path in paths for p in (discover_paths(path) if path.is_dir() else [path])]
    if not expanded:
        raise SanctionsError(f"no list files found in {', '.join(map(str, paths))}")
    for path in expanded:
        with _progress(as_json or not sys.stderr.isatty()) as progress:
            task = progress.add_task(f"loading {path.name}", total=None)
            try:
                result = store.load(
                    path,
                    dataset=dataset,
                    progress=lambda n, t=task: progress.advance(t, n),
                    strict=strict,
                    policy=policy,
                    published=published,
                )
            except SanctionsError as exc:
                failed += 1
                results.append({"path": str(path), "status": "failed", "error": str(exc)})
                err_console.print(f"[bold red]failed:[/] {exc}", highlight=False)
                continue
        row = {"path": str(path), **result.to_dict()}
        results.append(row)
        failed += result.blocked
        if not as_json:
            _print_load(result)
    if as_json:
        print_json(results)
    if failed:
        sys.exit(1)


def _print_load(result: Any) -> None:
    from sanctions.store.gates import describe_blocked

    if result.blocked:
        line = describe_blocked(
            result.dataset, result.status, result.seq, result.current_seq, result.reasons
        )
        err_console.print(line, highlight=False, markup=False)
    elif result.status == "unchanged":
        console.print(
            f"{result.dataset}: unchanged (same content as current version v{result.seq}, "
            f"{result.entity_count:,} entities); nothing to do"
        )
    else:
        console.print(
            f"{result.dataset}: loaded v{result.seq} ({result.format}): {result.entity_count:,} entities, "
            f"+{result.added:,} added, -{result.removed:,} removed, ~{result.changed:,} changed "
            f"in {result.seconds:.1f}s"
        )
    for line in result.not_understood_lines:
        console.print(f"  {line}", highlight=False)


@main.command("lists")
@click.option(
    "--versions", "show_versions", is_flag=True, help="Show every version, not just the current."
)
@click.option("--dataset", "datasets", multiple=True, help="Only these datasets (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
@click.pass_context
def lists_cmd(
    ctx: click.Context,
    show_versions: bool,
    datasets: tuple[str, ...],
    as_json: bool,
    db_sub: str | None,
) -> None:
    """The datasets in the store, their current versions, entity counts and dates."""
    store = open_store(ctx, db_sub)
    wanted = set(require_datasets(store, datasets))
    if show_versions:
        versions = [v for v in store.versions() if not wanted or v.dataset in wanted]
        if as_json:
            print_json([v.to_dict() for v in versions])
            return
        table = Table(
            "dataset",
            "version",
            "id",
            "current",
            "status",
            "entities",
            "+",
            "-",
            "~",
            "published (from)",
            "loaded",
            "source",
        )
        for v in versions:
            table.add_row(
                v.dataset,
                f"v{v.seq}",
                str(v.id),
                "*" if v.current else "",
                rolled_back(v, versions),
                f"{v.entity_count:,}",
                str(v.added),
                str(v.removed),
                str(v.changed),
                dated(v),
                v.loaded_at,
                v.source_path or v.source_file or "",
            )
        table.columns[-1].overflow = "fold"  # the full path, never cut
        console.print(table)
        return
    infos = [d for d in store.datasets() if not wanted or d.id in wanted]
    if as_json:
        print_json([d.to_dict() for d in infos])
        return
    if not infos:
        console.print(
            "The store is empty: load a list with `sanctions load PATH` or `sanctions update`."
        )
        return
    table = Table("dataset", "title", "version", "entities", "published", "loaded", "versions")
    for d in infos:
        cur = d.current
        table.add_row(
            d.id,
            d.title,
            f"v{cur.seq}" if cur else "-",
            f"{cur.entity_count:,}" if cur else "0",
            dated(cur) if cur else "",
            cur.loaded_at if cur else "",
            str(d.version_count),
        )
    console.print(table)
    pending = store.pending_versions()
    if pending:
        held = ", ".join(f"{v.dataset} v{v.seq} ({v.status})" for v in pending)
        err_console.print(
            f"not in use, awaiting a decision: {held}; see `sanctions versions pending`",
            highlight=False,
            markup=False,
        )


@main.command("diff")
@click.argument("dataset")
@click.option("--from", "from_ref", default=None, help="Older version (id, vN or hash prefix).")
@click.option("--to", "to_ref", default=None, help="Newer version (default: current).")
@click.option("--details", is_flag=True, help="Show the old -> new values of every changed field.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
@click.pass_context
def diff_cmd(
    ctx: click.Context,
    dataset: str,
    from_ref: str | None,
    to_ref: str | None,
    details: bool,
    as_json: bool,
    db_sub: str | None,
) -> None:
    """Entities added, removed and changed between two versions of a dataset."""
    from sanctions.store.history import change_details

    store = open_store(ctx, db_sub)
    require_datasets(store, [dataset], "DATASET")
    diff = store.diff(dataset, from_ref, to_ref)
    fields = change_details(store, diff) if details else {}
    if as_json:
        print_json({**diff.to_dict(), **({"details": details_json(fields)} if details else {})})
        return
    src = f"v{diff.from_version.seq}" if diff.from_version else "(nothing)"
    console.print(f"[bold]{dataset}[/]: {src} → v{diff.to_version.seq}")
    table = Table("change", "entity", "name", "fields")
    for change in diff.changes:
        mark = {
            "added": "[green]+ added[/]",
            "removed": "[red]- removed[/]",
            "changed": "[yellow]~ changed[/]",
        }
        table.add_row(
            mark[change.change], change.entity_id, change.caption, ", ".join(change.properties)
        )
    console.print(table)
    counts = {k: len(diff.of_kind(k)) for k in ("added", "removed", "changed")}
    console.print(
        f"{counts['added']:,} added, {counts['removed']:,} removed, {counts['changed']:,} changed"
    )
    if details:
        print_details(diff, fields)


@main.command("show")
@click.argument("entity_id")
@click.option(
    "--version", "version_ref", default=None, help="As in this version (vN, id or hash prefix)."
)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
@click.pass_context
def show_cmd(
    ctx: click.Context, entity_id: str, version_ref: str | None, as_json: bool, db_sub: str | None
) -> None:
    """An entity as currently listed (or as in --version): names, properties, provenance, history.

    A removed entity is shown with its last content and the version that removed it.
    """
    from sanctions.store import history as versions

    store = open_store(ctx, db_sub)
    removed = version = None
    if version_ref is not None:
        entity, version = versions.entity_at(store, entity_id, version_ref)
    else:
        entity = store.get_entity(entity_id)
        removed = versions.last_listed(store, entity_id) if entity is None else None
        entity = removed[0] if removed else entity
    history = store.entity_history(entity_id)
    if entity is None and not history and version is None:
        try:
            require_datasets(store, [entity_id.split("-", 1)[0]], "its dataset")
        except SanctionsError as exc:
            raise StoreError(f"no entity {entity_id!r} in the store: {exc}") from None
        raise StoreError(f"no entity {entity_id!r} in the store")
    subject = _subject(store, entity_id)
    if as_json:
        print_json(
            {
                "entity": entity.to_dict() if entity else None,
                "version": version.to_dict() if version else None,
                "removed_in": removed[2].to_dict() if removed else None,
                "history": history,
                "subject": subject,
            }
        )
        return
    if removed:
        _, last, gone = removed
        console.print(
            f"{entity_id} is no longer listed: removed in {gone.dataset} v{gone.seq}"
            f"{_how(store, gone)} "
            f"(loaded {gone.loaded_at}); "
            f"last listed in v{last.seq}, as shown below.",
            highlight=False,
            markup=False,
        )
    if version is not None and not print_past(store, entity_id, version, entity):
        entity = None
    if entity is not None:
        _print_entity(entity)
    elif version is None:
        console.print(f"{entity_id} is no longer listed (removed).")
    _print_subject(subject)
    console.print(history_table(history))


def _subject(store: Store, entity_id: str) -> dict[str, Any]:
    """The subject of a listing: its other listings (from the current clusters)."""
    from sanctions.coordination.subjects import subject_of_listing

    subject_id, listings, note = subject_of_listing(store, entity_id)
    others = [x.to_dict() for x in listings if x.entity_id != entity_id]
    return {"id": subject_id, "other_listings": others, "note": note}


def _print_subject(subject: dict[str, Any]) -> None:
    if subject["note"]:
        err_console.print(f"[yellow]note:[/] {subject['note']}", highlight=False, soft_wrap=True)
    others = subject["other_listings"]
    if not others:
        if not subject["note"]:
            console.print(f"subject {subject['id']}: no other listing of it on any list")
        return
    table = Table(
        "listing",
        "list",
        "jurisdiction",
        "programmes",
        "listed on",
        title=f"other listings of this subject ({subject['id']})",
    )
    for x in others:
        table.add_row(
            f"{x['caption']}\n{x['id']}",
            x["dataset"],
            x["jurisdiction"],
            ", ".join(x["programmes"]) or "-",
            x["listed_on"] or "-",
        )
    console.print(table)


def _how(store: Store, version: Any) -> str:
    """`` (a rollback to v1)`` for a version made by a rollback."""
    if version.rollback_of is None:
        return ""
    return f" (a rollback to v{store.get_version(version.dataset, version.rollback_of).seq})"


def _print_entity(entity: Any) -> None:
    lst = entity.listing
    console.print(f"[bold]{entity.caption}[/]  ({entity.schema}, {entity.id})")
    console.print(
        f"listed by {lst.dataset} as {lst.authority_id}; programmes: {', '.join(lst.programs) or '-'}; "
        f"listed on: {lst.listed_on or '-'}; version {lst.dataset_version}; file {lst.source_file}"
    )
    if lst.lists:
        on = ", ".join(f"{m.name} (since {m.since or '?'})" for m in lst.lists)
        console.print(f"on lists: {on}")
    if lst.provisions or lst.legal_basis:
        console.print(
            f"sanction types: {', '.join(lst.provisions) or '-'}; "
            f"legal authorities: {', '.join(lst.legal_basis) or '-'}"
        )
    names = Table("name", "kind", "lang/script", "parts", title="names")
    for n in entity.names:
        names.add_row(
            n.name,
            str(n.kind),
            "/".join(x for x in (n.lang, n.script) if x),
            ", ".join(f"{k}={v}" for k, v in n.parts),
        )
    console.print(names)
    props = Table("property", "values", title="properties")
    skip = {"name", "alias", "weakAlias", "previousName"}
    for key, values in sorted(entity.properties.items()):
        if key not in skip:
            props.add_row(key, "; ".join(values))
    console.print(props)
    if entity.dates:
        dates = Table("property", "date", "precision", "circa", "to", title="dates")
        for d in entity.dates:
            dates.add_row(d.prop, d.value, d.precision, "yes" if d.circa else "", d.end or "")
        console.print(dates)


@main.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["ftm", "csv"]), default="ftm", show_default=True
)
@click.option("--dataset", "datasets", multiple=True, help="Only these datasets (repeatable).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File (default: stdout).",
)
@db_option
@click.pass_context
def export_cmd(
    ctx: click.Context, fmt: str, datasets: tuple[str, ...], output: Path | None, db_sub: str | None
) -> None:
    """Export the current versions as FtM JSON lines or CSV (one row per entity).

    FtM: each entity is followed by its Sanction entities (listing date,
    programmes, lists); re-imported, the export gives the same entities.
    """
    store = open_store(ctx, db_sub)
    require_datasets(store, datasets)  # before the output file is opened: a typo writes nothing
    out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        entities = store.iter_entities(datasets or None)
        if fmt == "ftm":
            for entity in entities:
                for obj in export_entity(entity):
                    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        else:
            _export_csv(entities, out)
    finally:
        if output:
            out.close()


CSV_COLUMNS = (
    "id",
    "schema",
    "dataset",
    "authority_id",
    "name",
    "alias",
    "weakAlias",
    "previousName",
    "birthDate",
    "birthPlace",
    "nationality",
    "citizenship",
    "country",
    "gender",
    "passportNumber",
    "idNumber",
    "imoNumber",
    "swiftBic",
    "unscId",
    "program",
    "listed_on",
    "dataset_version",
)


def _export_csv(entities: Any, out: Any) -> None:
    writer = csv_writer(out)
    writer.writeheader(CSV_COLUMNS)
    for e in entities:
        row = []
        for col in CSV_COLUMNS:
            if col == "dataset":
                row.append(e.listing.dataset)
            elif col == "authority_id":
                row.append(e.listing.authority_id)
            elif col == "program":
                row.append("; ".join(e.listing.programs))
            elif col == "listed_on":
                row.append(e.listing.listed_on or "")
            elif col == "dataset_version":
                row.append(e.listing.dataset_version or "")
            elif col in ("id", "schema"):
                row.append(getattr(e, col))
            else:
                row.append("; ".join(e.get(col)))
        writer.writerow(row)
