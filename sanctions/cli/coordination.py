"""Commands for coordination: resolve, coverage, gaps, timeline, cluster, override."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from .app import (
    console,
    db_option,
    err_console,
    main,
    open_store,
    print_json,
    require_datasets,
)
from .terminal import echo_data

_PROGRAMME = click.option(
    "--programme",
    "--program",
    "programme",
    default=None,
    metavar="CODE",
    help="Regime code (RUS, IRN, PRK, SYR, AQ, ...) or a programme name; see docs/coordination.md.",
)
_SCHEMA = click.option("--schema", default=None, help="Person, Organization, Vessel, Airplane.")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
_CSV = click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
_DATASETS = click.option(
    "--dataset", "datasets", multiple=True, help="Only these datasets (repeatable)."
)
_PLOT = click.option(
    "--plot",
    default=None,
    type=click.Path(path_type=Path),
    help="Also draw the report (FILE.png or FILE.svg).",
)


def _current_store(ctx: click.Context, db_sub: str | None) -> Any:
    """The store, its clusters brought up to date first (one line on stderr when it did)."""
    from sanctions.coordination import refresh, stale_datasets

    store = open_store(ctx, db_sub)
    changed = stale_datasets(store)
    result = refresh(store) if changed else None
    if result is not None:
        err_console.print(
            f"resolved first ({result.mode}): {', '.join(changed)} changed since the last "
            f"resolve; {result.clusters:,} clusters, {result.rescored_pairs:,} pairs scored, "
            f"{result.seconds:.1f}s",
            markup=False,
            highlight=False,
        )
    return store


def _table(title: str, rows: list[dict[str, Any]]) -> None:
    table = Table(title=title)
    for col in rows[0] if rows else []:
        table.add_column(str(col))
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    console.print(table)


@main.command("resolve")
@click.option(
    "--full", is_flag=True, help="Recompute every link (default: only what new versions changed)."
)
@click.option(
    "--dataset", "datasets", multiple=True, help="Resolve only these datasets (repeatable)."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Processes preparing listings and scoring pairs in a full run (default 1; more "
    "only pays on idle cores).",
)
@_JSON
@db_option
@click.pass_context
def resolve_cmd(
    ctx: click.Context,
    full: bool,
    datasets: tuple[str, ...],
    workers: int | None,
    as_json: bool,
    db_sub: str | None,
) -> None:
    """Cluster the listings of the same subject across lists (incremental)."""
    from sanctions.coordination import Resolver

    store = open_store(ctx, db_sub)
    scope = require_datasets(store, datasets) or None
    result = Resolver(store, scope, workers=workers).run(full=full)
    if as_json:
        print_json(result.to_dict())
        return
    console.print(
        f"{result.mode}: {result.listings:,} listings in {result.clusters:,} clusters "
        f"({result.merged:,} across several lists); links {result.links}; "
        f"{result.rescored_pairs:,} pairs scored; {result.seconds:.1f}s"
    )


@main.command("coverage")
@_PROGRAMME
@_SCHEMA
@_DATASETS
@_JSON
@_CSV
@_PLOT
@db_option
@click.pass_context
def coverage_cmd(
    ctx: click.Context,
    programme: str | None,
    schema: str | None,
    datasets: tuple[str, ...],
    as_json: bool,
    as_csv: bool,
    plot: Path | None,
    db_sub: str | None,
) -> None:
    """How many subjects each list names, and the overlap of every pair and of all."""
    from sanctions.coordination import coverage, normalise_programme_filter, render_csv

    normalise_programme_filter(programme)  # an unknown programme: error before any work
    store = _current_store(ctx, db_sub)
    cov = coverage(store, programme, schema, require_datasets(store, datasets))
    if plot is not None:
        from sanctions.coordination.plots import plot_coverage

        plot_coverage(cov, plot)
    if as_json:
        print_json(cov.to_dict())
    elif as_csv:
        echo_data(render_csv(cov.to_rows()), nl=False)
    else:
        _table(
            f"{cov.subjects:,} subjects; listed by all {len(cov.datasets)}: {cov.all_listed} "
            "(lists of different dates: see as_of)",
            cov.to_rows(),
        )


@main.command("gaps")
@click.option("--listed-by", required=True, help="Dataset id or jurisdiction (us, gb, un...).")
@click.option("--not-listed-by", required=True, help="Dataset id or jurisdiction.")
@_PROGRAMME
@_SCHEMA
@_JSON
@_CSV
@db_option
@click.pass_context
def gaps_cmd(
    ctx: click.Context,
    listed_by: str,
    not_listed_by: str,
    programme: str | None,
    schema: str | None,
    as_json: bool,
    as_csv: bool,
    db_sub: str | None,
) -> None:
    """Subjects one authority lists and another does not, with names, programmes, dates."""
    from sanctions.coordination import gaps, normalise_programme_filter, render_csv

    normalise_programme_filter(programme)
    report = gaps(_current_store(ctx, db_sub), listed_by, not_listed_by, programme, schema)
    if as_json:
        print_json(report.to_dict())
    elif as_csv:
        echo_data(render_csv(report.to_rows()), nl=False)
    else:
        keys = ("caption", "schema", "entity_id", "programmes", "listed_on", "first_seen")
        rows = [{k: r[k] for k in keys} for r in report.to_rows()]
        _table(
            f"{len(rows):,} subjects listed by {_as_of(report.listed_by, report.as_of)}, "
            f"not by {_as_of(report.not_listed_by, report.as_of)}",
            rows,
        )
        console.print(
            "listed_on: the list's own listing date; first_seen: the first version of this "
            "store that held the listing (not a listing date)"
        )


def _as_of(datasets: list[str], as_of: dict[str, str]) -> str:
    return ", ".join(f"{ds} (as of {as_of.get(ds, '?')})" for ds in datasets)


@main.command("timeline")
@_PROGRAMME
@_SCHEMA
@_DATASETS
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Plot from this date on.")
@_JSON
@_CSV
@_PLOT
@db_option
@click.pass_context
def timeline_cmd(
    ctx: click.Context,
    programme: str | None,
    schema: str | None,
    datasets: tuple[str, ...],
    since: str | None,
    as_json: bool,
    as_csv: bool,
    plot: Path | None,
    db_sub: str | None,
) -> None:
    """Designations per list over time, and who listed first and the others' delay."""
    from sanctions.coordination import normalise_programme_filter, render_csv, timeline

    normalise_programme_filter(programme)
    store = _current_store(ctx, db_sub)
    tl = timeline(store, programme, schema, require_datasets(store, datasets))
    if plot is not None:
        from sanctions.coordination.plots import plot_timeline

        plot_timeline(tl, plot, since)
    if as_json:
        print_json(tl.to_dict())
    elif as_csv:
        echo_data(render_csv(tl.to_rows()), nl=False)
    else:
        rows = [
            {
                "dataset": ds,
                "as_of": d.as_of,
                "dated": d.describe(),
                **tl.summary.get(ds, {"listed_first": 0, "followed": 0, "median_delay_days": None}),
            }
            for ds, d in tl.dating.items()
        ]
        _table("Who listed first, and the median delay of the others (days)", rows)
        for ds, points in tl.versions.items():
            if len(points) > 1:
                vrows = [
                    {
                        "date": p.date if p.date_basis != "loaded" else f"loaded {p.date}, undated",
                        "added": p.added,
                        "removed": p.removed,
                        "total": p.total,
                    }
                    for p in points
                ]
                _table(f"{ds}: versions in the store", vrows)


@main.command("cluster")
@click.argument("ref")
@_JSON
@db_option
@click.pass_context
def cluster_cmd(ctx: click.Context, ref: str, as_json: bool, db_sub: str | None) -> None:
    """One cluster (by cluster id or a listing's id): every listing, and why it joined."""
    from sanctions.coordination import get_cluster

    data = get_cluster(_current_store(ctx, db_sub), ref)
    if as_json:
        print_json(data)
        return
    console.print(
        f"[bold]{data['id']}[/] {data['caption']} ({data['schema']}, {data['size']} listings)"
    )
    rows = [
        {
            "listing": item["id"],
            "names": "; ".join(n["name"] for n in item["names"][:4]),
            "born": ", ".join(item["birth_dates"]),
            "programmes": "; ".join(item["programmes"]),
            "joined": f"{item['joined']['reason']}"
            + (
                f" via {item['joined']['via']}: {item['joined']['detail']}"
                if item["joined"]["via"]
                else ""
            ),
        }
        for item in data["listings"]
    ]
    _table("listings", rows)
    dates = [
        {
            "listing": item["id"],
            "listed on (the list's own date)": item["listed_on"] or "-",
            "from": item["listed_on_field"],
            "first seen in this store": item["first_seen"] or "",
            "list as of": item["as_of"] or "",
        }
        for item in data["listings"]
    ]
    _table("dates", dates)


@main.group("override")
def override_group() -> None:
    """Manual decisions kept across recomputation: merge, split, list, remove."""


@override_group.command("merge")
@click.argument("entity_a")
@click.argument("entity_b")
@click.option("--note", default=None)
@db_option
@click.pass_context
def override_merge(
    ctx: click.Context, entity_a: str, entity_b: str, note: str | None, db_sub: str | None
) -> None:
    """Two listings are one subject (applied at the next `sanctions resolve`)."""
    from sanctions.coordination import add_override

    oid = add_override(open_store(ctx, db_sub), "merge", entity_a, entity_b, note)
    console.print(f"override #{oid}: merge {entity_a} {entity_b} (run `sanctions resolve`)")


@override_group.command("split")
@click.argument("entity_a")
@click.argument("entity_b", required=False)
@click.option("--note", default=None)
@db_option
@click.pass_context
def override_split(
    ctx: click.Context, entity_a: str, entity_b: str | None, note: str | None, db_sub: str | None
) -> None:
    """Keep two listings apart (or one listing alone)."""
    from sanctions.coordination import add_override

    oid = add_override(open_store(ctx, db_sub), "split", entity_a, entity_b, note)
    console.print(
        f"override #{oid}: split {entity_a} {entity_b or '(alone)'} (run `sanctions resolve`)"
    )


@override_group.command("list")
@_JSON
@db_option
@click.pass_context
def override_list(ctx: click.Context, as_json: bool, db_sub: str | None) -> None:
    """Every manual override."""
    from sanctions.coordination import list_overrides

    rows = list_overrides(open_store(ctx, db_sub))
    if as_json:
        print_json(rows)
    else:
        _table("overrides", rows)


@override_group.command("remove")
@click.argument("override_id", type=int)
@db_option
@click.pass_context
def override_remove(ctx: click.Context, override_id: int, db_sub: str | None) -> None:
    """Remove a manual override (applied at the next `sanctions resolve`)."""
    from sanctions.coordination import remove_override

    remove_override(open_store(ctx, db_sub), override_id)
    console.print(f"override #{override_id} removed")
