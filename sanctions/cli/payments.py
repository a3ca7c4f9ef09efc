"""`sanctions screen-payment`: SWIFT MT and ISO 20022 messages -> pass / review / hold.

Exit codes: 0 every message passes, 3 some message is reviewed or held, 2 an
error (a message that cannot be parsed is reported, held or reviewed, and the
other messages are still screened; a bad policy file or store stops at once).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from sanctions.errors import SanctionsError

from .app import console, db_option, err_console, main, open_store
from .terminal import safe_text

EXIT_FLAGGED = 3
EXIT_ERROR = 2
_STYLE = {"pass": "green", "review": "yellow", "hold": "bold red"}


def _results(payments: Any, source: str) -> Any:
    if source == "-":
        from sanctions.payments import decode

        return payments.screen_text(decode(sys.stdin.buffer.read(), "<stdin>"), "<stdin>")
    path = Path(source)
    if not path.exists():
        raise SanctionsError(f"{source}: no such file or folder")
    return payments.screen_path(path)


def _table_row(table: Table, result: Any) -> None:
    why = "\n".join(f"{f.action} {f.check} {f.path}: {f.reason}" for f in result.findings[:12])
    if len(result.findings) > 12:
        why += f"\n... {len(result.findings) - 12} more (see --json)"
    style = _STYLE[result.decision]
    table.add_row(
        result.source,
        result.type or "?",
        result.reference or "",
        f"[{style}]{result.decision.upper()}[/]",
        why,
    )


@main.command("screen-payment")
@click.argument("source", metavar="FILE|DIR|-")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message (JSON lines).")
@click.option(
    "--policy",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Policy YAML (default: the shipped policy; see docs/payments.md).",
)
@click.option(
    "--audit/--no-audit", default=True, show_default=True, help="Audit-log every held message."
)
@db_option
@click.pass_context
def screen_payment_cmd(
    ctx: click.Context,
    source: str,
    as_json: bool,
    policy: Path | None,
    audit: bool,
    db_sub: str | None,
) -> None:
    """Screen SWIFT MT103/MT202(COV) and ISO 20022 pacs.008/pacs.009/pain.001 messages.

    FILE may hold one message, many MT messages, or JSON lines
    ({"id", "message"}); DIR is screened file by file; - reads stdin.
    Exit code 0: all pass; 3: some review or hold; 2: an error.

    \b
      sanctions screen-payment outgoing/ --json > decisions.jsonl
    """
    from sanctions.payments import PaymentScreener, load_policy
    from sanctions.screening import Screener

    rules = load_policy(policy)
    store = open_store(ctx, db_sub)
    if not store.datasets():
        err_console.print("[yellow]warning:[/] the store holds no lists (see `sanctions load`)")
    payments = PaymentScreener(Screener(store), policy=rules, audit=audit)
    table = Table(title="Payment screening", show_lines=True)
    for column in ("message", "type", "reference", "decision", "findings"):
        table.add_column(column, overflow="fold")
    counts = {"pass": 0, "review": 0, "hold": 0}
    errors = 0
    for result in _results(payments, source):
        counts[result.decision] += 1
        if result.error:
            errors += 1
            err_console.print(f"[bold red]error:[/] {result.error}", highlight=False)
        if as_json:
            click.echo(safe_text(json.dumps(result.to_dict(), ensure_ascii=False)))
        else:
            _table_row(table, result)
    if not as_json:
        console.print(table)
        summary = ", ".join(f"{n} {d}" for d, n in counts.items())
        console.print(f"{sum(counts.values())} messages: {summary}; {errors} not parsed")
    if errors:
        sys.exit(EXIT_ERROR)
    if counts["review"] or counts["hold"]:
        sys.exit(EXIT_FLAGGED)
