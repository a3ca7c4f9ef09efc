"""`sanctions screen-payment`: SWIFT MT and ISO 20022 messages -> pass / review / hold.

Exit codes: 0 every message passes, 3 some message is reviewed or held, 2 an
error (a message that cannot be parsed is reported, held or reviewed, and the
other messages are still screened; a bad policy file or store stops at once).
"""

from __future__ import annotations

import hashlib
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


def _said(finding: Any) -> str:
    if not finding.cleared:
        return finding.action
    c = finding.cleared
    return f"cleared ({c['id']}, by {c['cleared_by']} on {c['cleared_at']}: {c['reason']})"


def _table_row(table: Table, result: Any) -> None:
    why = "\n".join(f"{_said(f)} {f.check} {f.path}: {f.reason}" for f in result.findings[:12])
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
    "--good-guys",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Good-guy list YAML: cleared (party, listed entity) pairs (default: the policy's).",
)
@click.option(
    "--audit/--no-audit",
    default=True,
    show_default=True,
    help="Audit-log the run (screening.run), every held message and every good-guy use.",
)
@db_option
@click.pass_context
def screen_payment_cmd(
    ctx: click.Context,
    source: str,
    as_json: bool,
    policy: Path | None,
    good_guys: Path | None,
    audit: bool,
    db_sub: str | None,
) -> None:
    """Screen SWIFT MT103/MT202(COV) and ISO 20022 pacs.008/pacs.009/pain.001 messages.

    FILE may hold one message, many MT messages, or JSON lines
    ({"id", "message"}); DIR is screened file by file; - reads stdin.
    Exit code 0: all pass; 3: some review or hold; 2: an error.

    \b
      sanctions screen-payment outgoing/ --json > decisions.jsonl
      sanctions screen-payment outgoing/ --good-guys cleared.yml
    """
    from sanctions.payments import PaymentScreener, load_good_guys, load_policy
    from sanctions.screening import Screener

    rules = load_policy(policy)
    cleared_path = good_guys or rules.good_guys
    cleared = load_good_guys(cleared_path) if cleared_path else None
    store = open_store(ctx, db_sub)
    if not store.datasets():
        err_console.print("[yellow]warning:[/] the store holds no lists (see `sanctions load`)")
    screener = Screener(store)
    payments = PaymentScreener(screener, policy=rules, audit=audit, good_guys=cleared)
    table = Table(title="Payment screening", show_lines=True)
    for column in ("message", "type", "reference", "decision", "findings"):
        table.add_column(column, overflow="fold")
    counts = {"pass": 0, "review": 0, "hold": 0}
    errors = 0
    fingerprints = hashlib.sha256()
    for result in _results(payments, source):
        counts[result.decision] += 1
        fingerprints.update(f"{result.fingerprint}\n".encode())
        if result.error:
            errors += 1
            err_console.print(f"[bold red]error:[/] {result.error}", highlight=False)
        if as_json:
            click.echo(safe_text(json.dumps(result.to_dict(), ensure_ascii=False)))
        else:
            _table_row(table, result)
    if not sum(counts.values()):
        raise SanctionsError(f"{source}: no message found (nothing was screened)")
    if audit:
        run_id = _record_payment_run(payments, source, fingerprints.hexdigest(), counts, errors)
        if not as_json:
            err_console.print(f"screening run {run_id} recorded in the audit log", highlight=False)
    if not as_json:
        console.print(table)
        summary = ", ".join(f"{n} {d}" for d, n in counts.items())
        console.print(f"{sum(counts.values())} messages: {summary}; {errors} not parsed")
    if errors:
        sys.exit(EXIT_ERROR)
    if counts["review"] or counts["hold"]:
        sys.exit(EXIT_FLAGGED)


def _record_payment_run(
    payments: Any, source: str, digest: str, counts: dict[str, int], errors: int
) -> str:
    """The run's ``screening.run`` audit entry (docs/evidence.md): which messages (a hash of
    their fingerprints, in order), against which list versions, under which policy and
    good-guy list."""
    from sanctions.screening.evidence import RunEvidence, list_versions, record_run

    screener, rules = payments.screener, payments.policy
    screener.index  # noqa: B018 - the list versions screened against, even if none parsed
    total = sum(counts.values())
    extra: dict[str, Any] = {"decisions": dict(counts)}
    if payments.good_guys is not None:
        extra["good_guys"] = payments.good_guys.describe()
    run = RunEvidence(
        kind="payment",
        threshold=rules.name_review,
        list_versions=list_versions(screener.versions),
        input_name=source,
        input_sha256=digest,
        rows=total,
        screened=total - errors,
        matched=counts["review"] + counts["hold"],
        errors=errors,
        extra=extra,
    )
    record_run(screener.store, run)
    return run.run_id


@main.command("screen-text")
@click.argument("source", metavar="FILE|-")
@click.option("--json", "as_json", is_flag=True, help="Print the mentions as one JSON object.")
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Score from which a span is reported (default: the policy's text_names.review).",
)
@click.option(
    "--policy",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Policy YAML (default: the shipped policy).",
)
@db_option
@click.pass_context
def screen_text_cmd(
    ctx: click.Context,
    source: str,
    as_json: bool,
    threshold: float | None,
    policy: Path | None,
    db_sub: str | None,
) -> None:
    """Find listed subjects named in a document: plain text, HTML or PDF (FILE or - for stdin).

    Prints each span, the listed entity, the score and why. Exit code 0: nobody
    listed is named; 3: some listed subject is named; 2: an error.

    \b
      sanctions screen-text contract.pdf
      curl -s https://example.org/article | sanctions screen-text - --json
    """
    from dataclasses import replace

    from sanctions.matching import Feature
    from sanctions.payments import PaymentScreener, load_policy
    from sanctions.payments.documents import document_text
    from sanctions.screening import Screener

    rules = load_policy(policy)
    if threshold is not None:
        rules = replace(rules, text_review=threshold, text_hold=max(threshold, rules.text_hold))
    data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    name = "<stdin>" if source == "-" else source
    text = document_text(data, name)
    payments = PaymentScreener(Screener(open_store(ctx, db_sub)), policy=rules)
    mentions = payments.find_names(text)
    if as_json:
        data_out = {
            "source": name,
            "mentions": [m.to_dict() for m in mentions],
            "versions": payments.versions(),
        }
        click.echo(safe_text(json.dumps(data_out, ensure_ascii=False, indent=2)))
    elif not mentions:
        console.print(f"{name}: no listed subject named (from score {rules.text_review:.2f}).")
    else:
        table = Table(title=f"Listed subjects named in {name}", show_lines=True)
        for column in ("characters", "text", "listed entity", "score", "why"):
            table.add_column(column, overflow="fold")
        for m in mentions:
            why = "\n".join(Feature.from_dict(e).describe() for e in m.explanations)
            entity = f"{m.record.caption}\n{m.record.id}\n{', '.join(m.record.datasets)}"
            table.add_row(f"{m.start}-{m.end}", m.text, entity, f"{m.score:.2f}", why)
        console.print(table)
    if mentions:
        sys.exit(EXIT_FLAGGED)
