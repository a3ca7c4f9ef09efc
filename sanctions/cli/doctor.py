"""``sanctions doctor``: check a store's invariants (one line per problem, exit 1 if any)."""

from __future__ import annotations

import sys

import click

from .app import console, db_option, err_console, expect_option, main, open_store, print_json


@main.command("doctor")
@expect_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@db_option
@click.pass_context
def doctor_cmd(ctx: click.Context, expect: str | None, as_json: bool, db_sub: str | None) -> None:
    """Check the store: current versions complete, diffs consistent with versions, blobs
    present and intact, no orphan rows, audit chain intact (MACs with SANCTIONS_AUDIT_KEY),
    alerts and decisions agreeing with the audit log and pointing at existing rows.
    Nothing is repaired."""
    from sanctions.doctor import diagnose

    report = diagnose(open_store(ctx, db_sub), expect=expect)
    if as_json:
        print_json(report.to_dict())
    else:
        for problem in report.problems:
            err_console.print(problem, highlight=False, soft_wrap=True, markup=False)
        (console if report.ok else err_console).print(
            report.summary(), highlight=False, soft_wrap=True, markup=False
        )
    if not report.ok:
        sys.exit(1)
