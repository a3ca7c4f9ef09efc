"""Commands for continuous screening: watch, rescreen, alerts, decide, audit."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from .app import console, db_option, err_console, expect_option, main, open_store, print_json
from .screen import print_plan, read_options, reader_options, workers_option

ACTOR_HELP = "Who is acting (default: $SANCTIONS_ACTOR or the OS user)."


def _watch(ctx: click.Context, db_sub: str | None, actor: str | None = None) -> Any:
    from sanctions.watch import Watch

    return Watch(open_store(ctx, db_sub), actor=actor)


@main.group("watch")
def watch_group() -> None:
    """Watched records (customers, counterparties) under continuous screening."""


@watch_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id-column", default=None, help="Column holding the record's own id.")
@click.option("--name-column", default=None, help="Column holding the full name.")
@click.option("--birth-date-column", default=None, help="Column holding the date of birth.")
@click.option("--country-column", default=None, help="Column holding nationality/country.")
@click.option("--schema-column", default=None, help="Column holding each row's schema.")
@click.option("--column", multiple=True, metavar="PROP=COLUMN", help="Any property.")
@click.option(
    "--schema",
    default=None,
    help="Schema of every row (default LegalEntity: people and organisations alike).",
)
@click.option("--remove-missing", is_flag=True, help="Stop watching records not in the file.")
@click.option(
    "--confirm-removals",
    type=click.IntRange(0),
    default=None,
    metavar="N",
    help="With --remove-missing: the number of records it removes, confirmed (needed over "
    "10%% of the watched records).",
)
@click.option("--actor", default=None, help=ACTOR_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@reader_options
@db_option
@click.pass_context
def import_cmd(ctx: click.Context, path: Path, **opts: Any) -> None:
    """Add or update the records of a CSV or Parquet file (new versions for changed rows).

    Common column names (name, first_name, last_name, date_of_birth, nationality,
    passport...) are recognised; the id column is required. --remove-missing is
    refused (nothing imported) when the file has no rows or rows that failed
    validation, or removes over 10% of the records without --confirm-removals N.
    """
    from sanctions.screening.batch import inspect_file
    from sanctions.watch import ColumnMap, ImportOptions

    schema = opts["schema"] or "LegalEntity"
    if not opts["schema"] and not opts["schema_column"]:
        err_console.print(
            "note: no --schema or --schema-column: every row is screened as LegalEntity "
            "(matches listed people and organisations alike)",
            highlight=False,
            soft_wrap=True,
        )
    cmap = ColumnMap.from_options({**opts, "schema": schema})
    reading = read_options(opts)
    if not opts["as_json"]:
        print_plan(inspect_file(path, cmap, reading))
    watch = _watch(ctx, opts["db_sub"], opts["actor"])
    options = ImportOptions(
        remove_missing=opts["remove_missing"],
        confirm_removals=opts["confirm_removals"],
        read_options=reading,
    )
    report = watch.import_file(path, cmap, options)
    if opts["as_json"]:
        print_json(report.to_dict())
    else:
        console.print(report.summary(), highlight=False, soft_wrap=True)
        for error in report.errors[:20]:
            err_console.print(error, highlight=False, soft_wrap=True)
        if len(report.errors) > 20:
            err_console.print(
                f"... and {len(report.errors) - 20} more", highlight=False, soft_wrap=True
            )
    if report.errors:
        sys.exit(1)


@watch_group.command("add")
@click.argument("record_id")
@click.option("--name", "names", multiple=True, required=True, help="Name (repeatable).")
@click.option("--schema", default="Person", show_default=True)
@click.option("--birth-date", default=None, help="Date of birth (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--country", "countries", multiple=True, help="Nationality/country (repeatable).")
@click.option("--prop", "extra", multiple=True, metavar="PROP=VALUE", help="Any FtM property.")
@click.option("--actor", default=None, help=ACTOR_HELP)
@click.option("--json", "as_json", is_flag=True)
@db_option
@click.pass_context
def add_cmd(ctx: click.Context, record_id: str, **opts: Any) -> None:
    """Watch a record, or update it (a changed record gets a new version)."""
    props: dict[str, list[str]] = {"name": list(opts["names"])}
    if opts["birth_date"]:
        props["birthDate"] = [opts["birth_date"]]
    field = "nationality" if opts["schema"] == "Person" else "country"
    if opts["countries"]:
        props[field] = list(opts["countries"])
    for item in opts["extra"]:
        prop, sep, value = item.partition("=")
        if not sep or not prop.strip():
            raise click.UsageError(f"--prop {item!r}: expected PROP=VALUE")
        props.setdefault(prop.strip(), []).append(value.strip())
    change = _watch(ctx, opts["db_sub"], opts["actor"]).add(record_id, props, opts["schema"])
    if opts["as_json"]:
        print_json(change.to_dict())
    else:
        console.print(
            f"{change.id}: {change.change} (version {change.version})",
            highlight=False,
            soft_wrap=True,
        )


@watch_group.command("remove")
@click.argument("record_id")
@click.option("--reason", default="", help="Why the record is no longer watched.")
@click.option("--actor", default=None, help=ACTOR_HELP)
@db_option
@click.pass_context
def remove_cmd(
    ctx: click.Context, record_id: str, reason: str, actor: str | None, db_sub: str | None
) -> None:
    """Stop watching a record; its alerts are closed with the reason."""
    change = _watch(ctx, db_sub, actor).remove(record_id, reason)
    console.print(
        f"{change.id}: removed (was version {change.version})", highlight=False, soft_wrap=True
    )


@watch_group.command("list")
@click.option("--removed", is_flag=True, help="List removed records instead.")
@click.option("--limit", type=int, default=50, show_default=True, help="Rows shown (0: all).")
@click.option("--json", "as_json", is_flag=True)
@db_option
@click.pass_context
def list_cmd(
    ctx: click.Context, removed: bool, limit: int, as_json: bool, db_sub: str | None
) -> None:
    """The watched records, with their versions."""
    records = _watch(ctx, db_sub).records("removed" if removed else "active")
    shown = records if limit <= 0 else records[:limit]
    if as_json:
        print_json([r.to_dict() for r in shown])
        return
    table = Table("id", "schema", "name", "version", "screened", "properties")
    for r in shown:
        props = "; ".join(f"{k}={', '.join(v)}" for k, v in r.properties.items() if k != "name")
        table.add_row(
            r.id,
            r.schema,
            r.caption,
            str(r.version),
            "yes" if r.screened_hash == r.hash else "no",
            props,
        )
    console.print(table)
    if len(shown) < len(records):
        console.print(
            f"({len(records):,} records; --limit 0 shows all)", highlight=False, soft_wrap=True
        )


@main.command("rescreen")
@click.option("--full", is_flag=True, help="Screen every record against every entity.")
@click.option(
    "--resolve",
    is_flag=True,
    help="First resolve the clusters (incrementally) if a list changed since the last "
    "resolve: a new listing of an alerted subject then joins its alert.",
)
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None, help="Alert score.")
@click.option("--actor", default=None, help=ACTOR_HELP)
@click.option("--json", "as_json", is_flag=True)
@workers_option
@db_option
@click.pass_context
def rescreen_cmd(
    ctx: click.Context,
    full: bool,
    resolve: bool,
    threshold: float | None,
    actor: str | None,
    as_json: bool,
    workers: int | None,
    db_sub: str | None,
) -> None:
    """Screen the watched records: only what changed since the last run, or --full
    (on every core, or --workers N)."""
    from sanctions.screening.parallel import default_workers
    from sanctions.watch import Watch

    kwargs = {} if threshold is None else {"threshold": threshold}
    watch = Watch(open_store(ctx, db_sub), actor=actor, **kwargs)
    report = watch.rescreen(full=full, resolve=resolve, workers=workers or default_workers())
    if as_json:
        print_json(report.to_dict())
        return
    print_resolved(report)
    note = report.stats.get("subject_note")
    if note:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    console.print(report.summary(), highlight=False, soft_wrap=True)


def print_resolved(report: Any) -> None:
    """One line on stderr when a rescreen resolved the clusters first."""
    resolved = report.stats.get("resolved")
    if resolved:
        err_console.print(
            f"clusters resolved first ({resolved['mode']}: "
            f"{', '.join(resolved['dirty_datasets'])}; {resolved['seconds']:.1f} s)",
            highlight=False,
        )


def _alert_table(alerts: list[Any]) -> Table:
    table = Table("alert", "status", "record", "v", "listed entity", "score", "run", "note")
    for a in alerts:
        notes = [a.closed_reason or ""]
        changes = a.changes or {}
        if changes.get("previous_alert"):
            notes = [f"changed since alert {changes['previous_alert']}: {_changed(a)}"]
        if "subject" in changes:
            notes.append(changes["subject"]["note"])
        listed = f"{a.entity_id} {a.entity_caption}\nlisted by: {', '.join(a.jurisdictions)}"
        if a.listings and len(a.listings) > 1:
            listed += f" ({len(a.listings)} listings)"
        table.add_row(
            str(a.id),
            a.status,
            f"{a.record_id} {a.record_caption}",
            str(a.record_version),
            listed,
            f"{a.score:.2f}",
            str(a.run_id),
            "\n".join(n for n in notes if n),
        )
    return table


def _changed(alert: Any) -> str:
    parts = []
    for side in ("record", "entity"):
        if side in alert.changes:
            parts.append(f"{side}: {', '.join(alert.changes[side]['fields']) or '(content)'}")
    return "; ".join(parts)


@main.command("alerts")
@click.argument("alert_id", type=int, required=False)
@click.option(
    "--status",
    default="active",
    show_default=True,
    help="open, escalated, true_match, false_positive, closed, active (not closed) or all "
    "(false-positive, true-match accepted).",
)
@click.option("--record", "record_id", default=None, help="Only this record's alerts.")
@click.option("--by-record", is_flag=True, help="One case per customer (its alerts grouped).")
@click.option("--limit", type=int, default=None, help="At most this many (newest first).")
@click.option("--json", "as_json", is_flag=True)
@db_option
@click.pass_context
def alerts_cmd(ctx: click.Context, alert_id: int | None, **opts: Any) -> None:
    """List alerts (newest first), or show one ALERT_ID as a case: customer and listed
    entry side by side, the evidence, what changed since the last decision, the decisions."""
    from sanctions.watch import canonical_status

    watch = _watch(ctx, opts["db_sub"])
    if alert_id is not None:
        _show_alert(watch, alert_id, opts["as_json"])
        return
    status = canonical_status(opts["status"])
    if opts["by_record"]:
        cases = watch.record_cases(status, opts["record_id"])
        if opts["as_json"]:
            print_json(cases)
        else:
            console.print(_case_table(cases))
            console.print(f"{len(cases)} customer(s) with alerts ({status})", highlight=False)
        return
    alerts = watch.alerts(status, opts["record_id"], limit=opts["limit"])
    if opts["as_json"]:
        print_json([a.to_dict() for a in alerts])
    else:
        console.print(_alert_table(alerts))
        console.print(f"{len(alerts)} alert(s) ({status})", highlight=False, soft_wrap=True)


def _show_alert(watch: Any, alert_id: int, as_json: bool) -> None:
    alert = watch.alert(alert_id)
    case = watch.alert_case(alert_id)
    if as_json:
        data = alert.to_dict()
        data["decisions"] = [d.to_dict() for d in watch.decisions(alert_id)]
        data["case"] = case
        print_json(data)
        return
    customer, listed = case["customer"], case["listed"]
    console.print(
        f"[bold]Alert {alert_id}[/] ({case['status']}): score {case['score']:.2f} "
        f"(match from {case['threshold']:.2f}); run {alert.run_id}, raised {alert.created_at}; "
        f"{alert.algorithm} {alert.algorithm_version}",
        highlight=False,
        soft_wrap=True,
    )
    table = Table(
        "",
        f"customer {customer['id']} (v{customer['version']})",
        f"listed {listed['id']} ({listed['dataset']})",
        show_lines=True,
    )
    for row in case["side_by_side"]:
        table.add_row(row["field"], "\n".join(row["customer"]), "\n".join(row["listed"]))
    console.print(table)
    _print_listings(alert)
    console.print("[bold]Evidence[/]")
    for line in case["evidence"]:
        console.print(f"  • {line}", highlight=False, soft_wrap=True)
    _print_since(case["since_last_decision"])
    console.print("[bold]Decisions on this pair[/]")
    if not case["decisions"]:
        console.print("  none yet", highlight=False)
    for d in case["decisions"]:
        console.print(
            f"  • {d['decided_at']} {d['decision']} by {d['analyst']} (alert {d['alert_id']}): "
            f"{d['reason']}",
            highlight=False,
            soft_wrap=True,
        )


def _print_listings(alert: Any) -> None:
    """The subject's listings the customer matches (the alert's own first)."""
    listings = alert.listings or []
    if len(listings) < 2:
        return
    console.print(f"[bold]Listings of this subject ({alert.subject_id})[/]")
    for x in listings:
        console.print(
            f"  • {x['jurisdiction']}: {x['entity_id']} {x['entity_caption']} ({x['dataset']}), "
            f"score {x['score']:.2f}, since run {x['run_id']}",
            highlight=False,
            soft_wrap=True,
        )
    if alert.changes and "subject" in alert.changes:
        console.print(f"  {alert.changes['subject']['note']}", highlight=False, soft_wrap=True)


def _print_since(since: dict[str, Any] | None) -> None:
    console.print("[bold]Since the last decision[/]")
    if since is None:
        console.print("  no earlier decision on this pair", highlight=False)
        return
    console.print(
        f"  last: {since['decision']} on {since['decided_at']} (alert {since['alert_id']})",
        highlight=False,
    )
    for side in ("record", "entity"):
        changes = since[side]
        if not changes:
            console.print(f"  • {side}: unchanged", highlight=False)
        for c in changes:
            old = ", ".join(c["old"]) or "(none)"
            new = ", ".join(c["new"]) or "(none)"
            console.print(
                f"  • {side} {c['field']}: {old} -> {new}", highlight=False, soft_wrap=True
            )


def _case_table(cases: list[dict[str, Any]]) -> Table:
    table = Table("record", "alerts", "best", "statuses", "listed entities (score, alert)")
    for case in cases:
        entities = "\n".join(
            f"{a['entity_caption']} {a['entity_id']} ({a['score']:.2f}, #{a['alert_id']})"
            for a in case["alerts"]
        )
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(case["statuses"].items()))
        table.add_row(
            f"{case['record_id']} {case['caption']}",
            str(len(case["alerts"])),
            f"{case['best_score']:.2f}",
            statuses,
            entities,
        )
    return table


@main.command("decide")
@click.argument("alert_id", type=int)
@click.option(
    "--as",
    "decision",
    required=True,
    type=click.Choice(
        ["true_match", "false_positive", "escalated", "true-match", "false-positive"],
        case_sensitive=False,
    ),
    help="The decision (false_positive; false-positive is accepted too).",
)
@click.option("--reason", required=True, help="Why (kept in the audit log).")
@click.option("--analyst", default=None, help=ACTOR_HELP)
@click.option("--json", "as_json", is_flag=True)
@db_option
@click.pass_context
def decide_cmd(
    ctx: click.Context,
    alert_id: int,
    decision: str,
    reason: str,
    analyst: str | None,
    as_json: bool,
    db_sub: str | None,
) -> None:
    """Decide an alert. A false positive stays quiet until the record or the entry changes."""
    result = _watch(ctx, db_sub, analyst).decide(alert_id, decision, reason)
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(
            f"alert {alert_id}: {result.decision} by {result.analyst} "
            f"(was {result.previous_status}), decision {result.id}",
            highlight=False,
        )


@main.group("audit")
def audit_group() -> None:
    """The hash-chained audit log: verify it, export its head, export it, show a screening run."""


@audit_group.command("verify")
@expect_option
@click.option("--json", "as_json", is_flag=True)
@db_option
@click.pass_context
def verify_cmd(ctx: click.Context, expect: str | None, as_json: bool, db_sub: str | None) -> None:
    """Recompute the chain, check MACs (with SANCTIONS_AUDIT_KEY) and that alerts and
    decisions agree with the log; name each problem (exit code 1 if any)."""
    result = _watch(ctx, db_sub).verify_audit(expect=expect)
    if as_json:
        print_json(result.to_dict())
    else:
        (console if result.ok else err_console).print(
            _capped(result.summary()), highlight=False, soft_wrap=True
        )
    if not result.ok:
        sys.exit(1)


def _capped(text: str, limit: int = 200) -> str:
    lines = text.splitlines()
    if len(lines) <= limit:
        return text
    return "\n".join([*lines[:limit], f"... and {len(lines) - limit:,} more (see --json)"])


@audit_group.command("head")
@click.option("--json", "as_json", is_flag=True)
@db_option
@click.pass_context
def head_cmd(ctx: click.Context, as_json: bool, db_sub: str | None) -> None:
    """Print the log's head (ID:HASH). Keep it outside the database (ticket, e-mail,
    write-once storage) and check it later with `audit verify --expect ID:HASH`."""
    head = _watch(ctx, db_sub).audit_head()
    if as_json:
        print_json({"last_id": head.last_id, "last_hash": head.last_hash, "head": str(head)})
    else:
        click.echo(str(head))


@audit_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@db_option
@click.pass_context
def export_cmd(ctx: click.Context, fmt: str, output: Path | None, db_sub: str | None) -> None:
    """Write the audit log as JSON lines or CSV (to stdout, or --output FILE)."""
    watch = _watch(ctx, db_sub)
    if output is None:
        count = watch.export_audit(sys.stdout, fmt)
    else:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            count = watch.export_audit(fh, fmt)
    err_console.print(f"{count:,} audit entries exported", highlight=False, soft_wrap=True)


@audit_group.command("show")
@click.argument("run")
@click.option("--json", "as_json", is_flag=True, help="Print the run's context as JSON.")
@db_option
@click.pass_context
def show_run_cmd(ctx: click.Context, run: str, as_json: bool, db_sub: str | None) -> None:
    """The audited context of a screening RUN (scr-... or a watch run's number): input hash,
    rows, list versions, threshold, algorithm, actor, time."""
    from sanctions.screening.evidence import find_run

    data = find_run(open_store(ctx, db_sub).engine, run)
    if as_json:
        print_json(data)
        return
    entry = data["audit_entry"]
    algorithm = data.get("algorithm") or {}
    lines = [
        f"{data['subject']} ({data.get('kind', 'watch-run')}) by {data['actor']} at {entry['at']}"
        f" - audit entry {entry['id']} {entry['hash'][:16]}...",
        f"input: {data.get('input_name') or '-'} sha256 {data.get('input_sha256') or '-'}",
        f"rows: {data.get('rows', data.get('records_total', 0)):,}; screened "
        f"{data.get('screened', data.get('records_screened', 0)):,}; with a match "
        f"{data.get('matched', data.get('raised', 0)):,}; errors {data.get('errors', 0):,}",
        f"threshold {data.get('threshold')}, cutoff {data.get('cutoff')}, limit "
        f"{data.get('limit')}; algorithm {algorithm.get('name')} {algorithm.get('version')}",
    ]
    console.print("\n".join(lines), highlight=False, soft_wrap=True)
    versions = data.get("list_versions_detail") or data.get("list_versions") or {}
    table = Table("dataset", "version", "seq", "content hash", "published", "source file")
    for dataset, v in versions.items():
        v = v if isinstance(v, dict) else {"version_id": v}
        table.add_row(
            dataset,
            str(v.get("version_id", "")),
            str(v.get("seq", "")),
            str(v.get("content_hash", ""))[:16],
            str(v.get("published") or "-"),
            str(v.get("source_file") or "-"),
        )
    console.print(table)
