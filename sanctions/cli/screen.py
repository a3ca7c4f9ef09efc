"""Commands for screening: screen (a name or a file), match and compare (JSON lines).

``match`` and ``compare`` are the stable machine interface: one JSON object
per input line, one per output line, in the same order. A bad input line gives
an output line ``{"id", "error"}`` and one line on stderr naming the line; the
other lines are processed, and the exit code is 1.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sanctions.errors import SanctionsError

from .app import console, db_option, err_console, main, open_store, print_json

DEFAULT_THRESHOLD_TEXT = "0.70"
GROUPS = ("subject", "listing")  # as sanctions.screening.GROUPS (not imported: a slow import)


def _threshold_option(fn: Any) -> Any:
    return click.option(
        "--threshold",
        type=click.FloatRange(0.0, 1.0),
        default=None,
        help=f"Score from which a candidate is a match (default {DEFAULT_THRESHOLD_TEXT}).",
    )(fn)


def _threshold(value: float | None) -> float:
    from sanctions.matching import DEFAULT_THRESHOLD

    return DEFAULT_THRESHOLD if value is None else value


def column_options(fn: Any) -> Any:
    """--name-column, --id-column... --column PROP=COLUMN: which column holds what."""
    for option in reversed(
        [
            click.option("--name-column", default=None, help="Column holding the name."),
            click.option("--id-column", default=None, help="Column holding the customer id."),
            click.option(
                "--birth-date-column", default=None, help="Column holding the date of birth."
            ),
            click.option(
                "--country-column", default=None, help="Column holding nationality/country."
            ),
            click.option("--schema-column", default=None, help="Column holding each row's schema."),
            click.option("--column", multiple=True, metavar="PROP=COLUMN", help="Any property."),
        ]
    ):
        fn = option(fn)
    return fn


def workers_option(fn: Any) -> Any:
    """--workers N: processes screening at once (default: every core)."""
    return click.option(
        "--workers",
        type=click.IntRange(1, 256),
        default=None,
        help="Processes screening at once, sharing one loaded index (default: every core).",
    )(fn)


def progress_option(fn: Any) -> Any:
    """--progress/--no-progress: the progress bar on stderr (default: only on a terminal)."""
    return click.option(
        "--progress/--no-progress",
        default=None,
        help="Show a progress bar on stderr (default: only when stderr is a terminal).",
    )(fn)


def progress_bar(opts: dict[str, Any], what: str) -> Any:
    """A rich progress bar on stderr, shown on a terminal or with --progress."""
    show = sys.stderr.isatty() if opts.get("progress") is None else opts["progress"]
    columns = (TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=err_console, disable=not show)


def versions_text(versions: dict[str, int]) -> str:
    """``dataset@seq, ...``: the list versions a job was pinned to."""
    return ", ".join(f"{dataset}@{seq}" for dataset, seq in sorted(versions.items())) or "none"


def reader_options(fn: Any) -> Any:
    """--delimiter, --encoding and --date-format: how to read a customer file."""
    for option in reversed(
        [
            click.option(
                "--delimiter", default=None, help="Field delimiter (default: sniffed: , ; TAB |)."
            ),
            click.option(
                "--encoding",
                default=None,
                help="File encoding (default UTF-8; a non-UTF-8 file is read as cp1252 with "
                "a warning).",
            ),
            click.option(
                "--date-format",
                default=None,
                metavar="FORMAT",
                help="How dates are written: DD/MM/YYYY, MM/DD/YYYY or a strptime pattern "
                "(without it an ambiguous NN/NN/YYYY date is a bad row).",
            ),
        ]
    ):
        fn = option(fn)
    return fn


def read_options(opts: dict[str, Any]) -> Any:
    """The reader options of a command, checked (a bad --date-format is a usage error)."""
    from sanctions.screening.tabular import ReadOptions, date_pattern

    delimiter = opts.get("delimiter")
    if delimiter in ("\\t", "tab", "TAB"):
        delimiter = "\t"
    if opts.get("date_format"):
        try:
            date_pattern(opts["date_format"])
        except SanctionsError as exc:
            raise click.UsageError(str(exc)) from exc
    return ReadOptions(delimiter, opts.get("encoding"), opts.get("date_format"))


# Typed identifier options: (option, keyword, property, identifier type, help).
ID_OPTIONS = (
    ("--imo", "imo", "imoNumber", "imo", "IMO number of a vessel (check digit verified)."),
    ("--mmsi", "mmsi", "mmsi", "mmsi", "MMSI of a vessel (9 digits)."),
    ("--bic", "bic", "swiftBic", "bic", "SWIFT/BIC (8 or 11 characters; XXX = head office)."),
    ("--lei", "lei", "leiCode", "lei", "Legal Entity Identifier (check digits verified)."),
    ("--un-ref", "un_ref", "unscId", "unsc", "UN Security Council reference (e.g. QDi.001)."),
    ("--passport", "passport", "passportNumber", "passport", "Passport number."),
    ("--national-id", "national_id", "idNumber", "national_id", "National identity number."),
    ("--registration", "registration", "registrationNumber", "registration", "Company number."),
)


VESSEL_PROPS = {"imoNumber", "mmsi"}


def identifier_options(fn: Any) -> Any:
    """``--id-number`` (any type, detected) and one typed option per identifier."""
    for flag, key, _prop, _type, text in reversed(ID_OPTIONS):
        fn = click.option(flag, key, multiple=True, help=f"{text} (repeatable).")(fn)
    return click.option(
        "--id-number",
        "id_numbers",
        multiple=True,
        help="Any identifier: compared as passport/national id and as every type it is valid "
        "as (IMO, MMSI, BIC, LEI, UN reference) (repeatable).",
    )(fn)


def identifier_query(opts: dict[str, Any]) -> dict[str, list[str]]:
    """Query properties of the identifier options; an invalid typed value is a usage error."""
    from sanctions.matching import IDENTIFIERS, identifier_properties

    props: dict[str, list[str]] = {}
    for flag, key, prop, type_name, _text in ID_OPTIONS:
        for value in opts.get(key) or ():
            if IDENTIFIERS[type_name].normalize(value) is None:
                raise click.BadParameter(f"{value!r} is not a valid {type_name}", param_hint=flag)
            props.setdefault(prop, []).append(value)
    for value in opts.get("id_numbers") or ():
        found = identifier_properties(value)
        if not found:
            raise click.BadParameter(f"{value!r} has no identifier in it", param_hint="--id-number")
        for prop, values in found.items():
            props.setdefault(prop, []).extend(values)
    return props


def print_plan(plan: Any) -> None:
    """Before screening or importing: how the file is read and what it holds (stderr)."""
    for warning in plan.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    for line in plan.lines():
        err_console.print(line, highlight=False, soft_wrap=True)


@main.command("screen")
@click.argument("name", required=False)
@click.option("--birth-date", default=None, help="Date of birth (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--country", "countries", multiple=True, help="Nationality or country (repeatable).")
@click.option("--schema", default=None, help="Person, Organization, Company, Vessel, Airplane...")
@identifier_options
@_threshold_option
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Results (.csv/.parquet)."
)
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path))
@column_options
@click.option("--cutoff", type=click.FloatRange(0.0, 1.0), default=None, help="Drop lower scores.")
@workers_option
@progress_option
@click.option(
    "--by",
    type=click.Choice(GROUPS),
    default=None,
    help="One result per subject (the listings of one subject across lists, from "
    "`sanctions resolve`) or per listing (default: subject for the table, listing for "
    "--json and --file).",
)
@reader_options
@db_option
@click.pass_context
def screen_cmd(ctx: click.Context, name: str | None, **opts: Any) -> None:
    """Screen a NAME (with optional evidence), or every row of --file, against all lists.

    The table shows one result per subject (its listings across lists) unless
    --by listing is given.

    \b
      sanctions screen "Vladimir Putin" --birth-date 1952-10-07 --schema Person
      sanctions screen --file customers.csv --out results.csv --name-column full_name
    """
    from sanctions.screening import Screener, screen_by_subject

    ids = identifier_query(opts)
    if bool(name or ids) == bool(opts["file"]):
        raise click.UsageError("give either a NAME (or identifiers) or --file (with --out)")
    store = open_store(ctx, opts.pop("db_sub"))
    screener = Screener(store, threshold=_threshold(opts["threshold"]))
    if not store.datasets():
        err_console.print("[yellow]warning:[/] the store holds no lists (see `sanctions load`)")
    by = opts["by"] or ("listing" if opts["as_json"] or opts["file"] else "subject")
    if opts["file"]:
        _screen_file(screener, opts, by)
        return
    query = _name_query(name, ids, opts)
    grouped = None
    if by == "subject":
        grouped = screen_by_subject(
            screener, query, _subjects(screener), opts["limit"], opts["cutoff"]
        )
        result = grouped.result
    else:
        result = screener.screen(query, limit=opts["limit"], cutoff=opts["cutoff"])
    run = _record_single(screener, query, result, {**opts, "group": by})
    if opts["as_json"]:
        print_json({**(grouped or result).to_dict(), "run_id": run.run_id})
        return
    if grouped is not None:
        _print_subjects(grouped)
    else:
        _print_result(result)
    err_console.print(f"screening run {run.run_id} recorded in the audit log", highlight=False)


def _subjects(screener: Any) -> Any:
    """The subjects of the lists screened; a one-line note when clusters are not current."""
    from sanctions.coordination.subjects import load_subjects

    screener.index  # noqa: B018 - fixes the list versions screened against
    subjects = load_subjects(screener.store, screener.versions)
    if subjects.note:
        err_console.print(f"[yellow]note:[/] {subjects.note}", highlight=False, soft_wrap=True)
    return subjects


def _record_single(screener: Any, query: dict[str, Any], result: Any, opts: dict[str, Any]) -> Any:
    """The audit entry of a one-name screening (docs/evidence.md)."""
    from sanctions.screening.evidence import (
        RunEvidence,
        canonical_sha256,
        list_versions,
        record_run,
    )

    run = RunEvidence(
        kind="screen",
        threshold=screener.threshold,
        list_versions=list_versions(screener.versions),
        input_sha256=canonical_sha256(query),
        rows=1,
        screened=1,
        matched=int(bool(result.matches)),
        cutoff=opts["cutoff"],
        limit=opts["limit"],
        extra={"group": opts["group"]},
    )
    record_run(screener.require_store(), run)
    return run


def _name_query(
    name: str | None, ids: dict[str, list[str]], opts: dict[str, Any]
) -> dict[str, Any]:
    props: dict[str, list[str]] = {"name": [name]} if name else {}
    if opts["birth_date"]:
        props["birthDate"] = [opts["birth_date"]]
    if opts["countries"]:
        props["country"] = list(opts["countries"])
    props.update(ids)
    query: dict[str, Any] = {"id": "query", "properties": props}
    if opts["schema"]:  # none given: the query is a LegalEntity, and the result says so
        query["schema"] = opts["schema"]
    elif VESSEL_PROPS & ids.keys():  # a LegalEntity is never a vessel: compare with anything
        query["schema"] = "Thing"
    return query


def _print_result(result: Any) -> None:
    for warning in result.query.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}")
    if not result.results:
        console.print("No candidates.")
        return
    table = Table(title=f"Screening (match from {result.threshold:.2f})", show_lines=True)
    for column in ("score", "match", "listed entity", "schema", "datasets", "why"):
        table.add_column(column, overflow="fold")
    for m in result.results:
        why = _why(m)
        table.add_row(
            f"{m.score.score:.2f}",
            "[bold red]MATCH[/]" if m.score.match else "no",
            f"{m.record.caption}\n{m.record.id}",
            m.record.schema,
            ", ".join(m.record.datasets),
            why,
        )
    console.print(table)


def _why(match: Any) -> str:
    return "\n".join(f.describe() for f in match.score.features)


def _print_subjects(grouped: Any) -> None:
    for warning in grouped.result.query.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}")
    if not grouped.subjects:
        console.print("No candidates.")
        return
    title = f"Screening by subject (match from {grouped.result.threshold:.2f})"
    table = Table(title=title, show_lines=True)
    for column in ("score", "match", "subject", "listings matched", "listed by", "why (lead)"):
        table.add_column(column, overflow="fold")
    for subject in grouped.subjects:
        lead = subject.lead
        matched = "\n".join(
            f"{m.score.score:.2f} {m.record.id}" + (" (lead)" if m is lead else "")
            for m in subject.matches
        )
        others = subject.unmatched
        if others:
            matched += f"\n+{len(others)} not matched: " + ", ".join(x.entity_id for x in others)
        dates = ", ".join(f"{ds} {day}" for ds, day in subject.listed_on.items())
        listed = (
            f"{', '.join(subject.jurisdictions)}\n{', '.join(subject.datasets)}"
            f"\nprogrammes: {', '.join(subject.programmes) or '-'}"
            f"\nlisted on: {dates or '-'}"
        )
        table.add_row(
            f"{lead.score.score:.2f}",
            "[bold red]MATCH[/]" if subject.match else "no",
            f"{lead.record.caption}\n{lead.record.schema}; subject {subject.subject_id}",
            matched,
            listed,
            _why(lead),
        )
    console.print(table)


def column_map(opts: dict[str, Any]) -> Any:
    from sanctions.screening.batch import ColumnMap

    return ColumnMap.from_options(opts)


def _screen_file(screener: Any, opts: dict[str, Any], by: str = "listing") -> None:
    from sanctions.screening.batch import FILE_CUTOFF, inspect_file, screen_file

    source: Path = opts["file"]
    out: Path | None = opts["out"]
    if out is None:
        raise click.UsageError("--file needs --out (results.csv or results.parquet)")
    if not out.parent.is_dir():  # say so before reading the file, not after
        raise FileNotFoundError(2, "No such file or directory", str(out))
    reading = read_options(opts)
    plan = inspect_file(source, column_map(opts), reading)
    print_plan(plan)
    errors_path = opts["errors_path"] or out.with_name(out.name + ".errors.txt")
    options = {
        "limit": opts["limit"],
        "cutoff": FILE_CUTOFF if opts["cutoff"] is None else opts["cutoff"],
    }
    screener.index  # build (or load) the index before the workers start  # noqa: B018
    subjects = _subjects(screener) if by == "subject" else None
    with progress_bar(opts, "screening") as bar:
        task = bar.add_task("screening", total=plan.rows)
        summary = screen_file(
            screener,
            source,
            out,
            errors_path,
            plan.columns,
            options,
            workers=opts["workers"],
            progress=lambda n: bar.advance(task, n),
            read_options=reading,
            subjects=subjects,
        )
    memory = summary.memory
    err_console.print(
        f"{summary.rows:,} rows: {summary.screened:,} screened, {summary.alerts:,} with a match, "
        f"{summary.errors:,} bad rows -> {errors_path if summary.errors else 'none'}; "
        f"{summary.seconds:.1f}s ({summary.rows_per_second:,.0f} rows/s on {summary.workers} "
        f"worker(s); peak memory per worker {memory.get('worker_peak_rss_mib', 0):,.0f} MiB, "
        f"{memory.get('worker_private_mib', 0):,.0f} MiB its own); list versions "
        f"{versions_text(summary.list_versions)}; results in {out}; run {summary.run_id} "
        f"(evidence in {summary.meta_path} and the audit log)",
        highlight=False,
    )
    if summary.errors:
        sys.exit(1)


def _json_lines(stream: Iterable[str]) -> Any:
    """(line number, parsed object or error message) for each non-blank line."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"not valid JSON: {exc.msg} (column {exc.colno})"
            continue
        if not isinstance(data, dict):
            yield number, None, "expected a JSON object"
            continue
        yield number, data, None


def _emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def _report(number: int, message: str) -> None:
    err_console.print(f"[bold red]error:[/] line {number}: {message}", highlight=False)


@main.command("match")
@_threshold_option
@click.option("--cutoff", type=click.FloatRange(0.0, 1.0), default=None, help="Drop lower scores.")
@click.option("--limit", type=click.IntRange(1, 500), default=5, show_default=True)
@click.option(
    "--by",
    type=click.Choice(GROUPS),
    default="listing",
    show_default=True,
    help="One result per listing, or per subject (its listings across lists).",
)
@db_option
@click.pass_context
def match_cmd(
    ctx: click.Context,
    threshold: float | None,
    cutoff: float | None,
    limit: int,
    by: str,
    db_sub: str | None,
) -> None:
    """Screen FtM query entities (JSON lines on stdin) -> results (JSON lines on stdout).

    Input: {"id", "schema", "properties": {"name": [...], "birthDate": [...], ...}}.
    Output: {"id", "results": [{"id", "caption", "schema", "score", "match",
    "datasets", "properties", "explanations"}]}, best first. With --by subject:
    {"id", "group": "subject", "subjects": [{"subject_id", "lead", "score", "match",
    "listings": [results as above], "other_listings", "datasets", "jurisdictions",
    "programmes", "listed_on"}]}.
    """
    from sanctions.screening import QueryError, Screener, screen_by_subject
    from sanctions.screening.evidence import RunEvidence, list_versions, record_run

    screener = Screener(open_store(ctx, db_sub), threshold=_threshold(threshold))
    screener.index  # noqa: B018 - fixes the list versions screened against
    subjects = _subjects(screener) if by == "subject" else None
    run = RunEvidence("match", screener.threshold, list_versions(screener.versions))
    run.input_name, run.cutoff, run.limit = "<stdin>", cutoff, limit
    run.extra["group"] = by
    stdin = _HashingLines(sys.stdin)
    for number, data, error in _json_lines(stdin):
        run.rows += 1
        if data is not None:
            try:
                if subjects is not None:
                    grouped = screen_by_subject(screener, data, subjects, limit, cutoff)
                    result = grouped.result
                    _emit(grouped.to_dict())
                else:
                    result = screener.screen(data, limit=limit, cutoff=cutoff)
                    _emit(result.to_dict())
                run.screened += 1
                run.matched += int(bool(result.matches))
                continue
            except QueryError as exc:
                error = exc.message
        run.errors += 1
        _report(number, error or "bad query")
        _emit({"id": (data or {}).get("id"), "error": f"line {number}: {error}"})
    run.input_sha256 = stdin.digest.hexdigest()
    record_run(screener.require_store(), run)
    err_console.print(
        f"{run.rows:,} queries, {run.errors:,} bad; screening run {run.run_id} recorded in the "
        "audit log",
        highlight=False,
    )
    if run.errors:
        sys.exit(1)


class _HashingLines:
    """Lines of a text stream, hashing their bytes (UTF-8) as they are read."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def __iter__(self) -> Any:
        for line in self.stream:
            self.digest.update(line.encode("utf-8", "surrogateescape"))
            yield line


@main.command("compare")
@_threshold_option
def compare_cmd(threshold: float | None) -> None:
    """Score pairs (JSON lines {"id", "query", "candidate"} on stdin); no store needed.

    Output lines: {"id", "score", "match", "explanations"}.
    """
    from sanctions.matching import compare_records
    from sanctions.screening import QueryError, parse_query

    limit = _threshold(threshold)
    failed = 0
    for number, data, error in _json_lines(sys.stdin):
        if data is not None:
            try:
                query = parse_query(data.get("query"))
                cand = parse_query(data.get("candidate"), listed=True)
                score = compare_records(query, cand, limit)
                _emit({"id": data.get("id"), **score.to_dict()})
                continue
            except QueryError as exc:
                error = exc.message
        failed += 1
        _report(number, error or "bad pair")
        _emit({"id": (data or {}).get("id"), "error": f"line {number}: {error}"})
    if failed:
        sys.exit(1)


__all__ = ["screen_cmd", "match_cmd", "compare_cmd", "SanctionsError"]


@main.command("search")
@click.argument("text")
@click.option("--schema", default=None, help="Only this schema (and its sub-schemata).")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@db_option
@click.pass_context
def search_cmd(ctx: click.Context, text: str, **opts: Any) -> None:
    """Find listed entities by name or identifier (IMO, MMSI, BIC, LEI, UN reference, passport).

    \b
      sanctions search 9187629
      sanctions search QDi.001
      sanctions search "Havin Bank"
    """
    from sanctions.screening import QueryError, Screener
    from sanctions.screening.search import search_hits

    store = open_store(ctx, opts.pop("db_sub"))
    try:
        hits = search_hits(Screener(store), text, opts["schema"], limit=opts["limit"])
    except QueryError as exc:
        raise click.UsageError(str(exc)) from exc
    if opts["as_json"]:
        print_json([_hit_dict(record, score) for record, score in hits])
        return
    if not hits:
        console.print("No hits.")
        return
    table = Table(title=f"Search: {text}", show_lines=True)
    for column in ("score", "listed entity", "schema", "datasets", "identifiers"):
        table.add_column(column, overflow="fold")
    for record, score in hits:
        table.add_row(
            f"{score:.2f}",
            f"{record.caption}\n{record.id}",
            record.schema,
            ", ".join(record.datasets),
            "\n".join(f"{pool} {value}" for pool, value in sorted(record.identifiers)),
        )
    console.print(table)


def _hit_dict(record: Any, score: float) -> dict[str, Any]:
    return {
        "id": record.id,
        "caption": record.caption,
        "schema": record.schema,
        "datasets": list(record.datasets),
        "score": score,
        "identifiers": [{"type": p, "value": v} for p, v in sorted(record.identifiers)],
    }
