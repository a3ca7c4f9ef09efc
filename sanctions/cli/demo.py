"""`sanctions demo`: an offline tour on the hand-written samples shipped in the package."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from rich.table import Table

from sanctions.screening import Screener, demo_customers
from sanctions.store import Store

from .app import console, main


def _command(ctx: click.Context, name: str) -> click.Command:
    """A registered command of ``sanctions`` (the demo runs some of them)."""
    command = main.get_command(ctx, name)
    if command is None:
        raise click.UsageError(f"the demo needs the {name!r} command, which is not registered")
    return command


@main.command("demo")
@click.option(
    "--db",
    "db_sub",
    default=None,
    metavar="PATH|URL",
    help="Store to load the samples into (default: a new temporary SQLite file).",
)
@click.pass_context
def demo_cmd(ctx: click.Context, db_sub: str | None) -> None:
    """Load the sample lists, show what was loaded, a diff between two versions, and screening."""
    from sanctions.demo import load_samples

    db = db_sub or ctx.obj.get("db")
    tmp = None
    if db is None:
        tmp = tempfile.TemporaryDirectory(prefix="sanctions-demo-")
        db = str(Path(tmp.name) / "demo.db")
    store = Store.open(db)
    console.rule(
        "[bold]1. Load the official list formats (hand-written samples, fictional entries)"
    )
    table = Table("sample", "format", "dataset", "entities", "result")
    diff_dataset = None
    for item in load_samples(store):
        if item.result is None:
            outcome = "parsed (another format of a stored dataset)"
        else:
            r = item.result
            outcome = f"stored as v{r.seq}: +{r.added} -{r.removed} ~{r.changed}"
            if r.seq > 1:
                diff_dataset = r.dataset
        table.add_row(item.path.name, item.format, item.dataset, str(item.entity_count), outcome)
    console.print(table)
    console.rule("[bold]2. The store: datasets and their current versions")
    ctx.invoke(_command(ctx, "lists"), show_versions=False, as_json=False, db_sub=db)
    if diff_dataset:
        console.rule(f"[bold]3. What changed between the two versions of {diff_dataset}")
        ctx.invoke(
            _command(ctx, "diff"),
            dataset=diff_dataset,
            from_ref=None,
            to_ref=None,
            as_json=False,
            db_sub=db,
        )
    _demo_screening(store)
    store.close()
    console.print(f"\nstore used: {db}" + (" (temporary, deleted now)" if tmp else ""))
    if tmp is not None:
        tmp.cleanup()


def _demo_screening(store: Store) -> None:
    console.rule("[bold]4. Screen sample customers against every list")
    screener = Screener(store)
    table = Table("customer", "best candidate", "list", "score", "alert", "why")
    for query in demo_customers():
        outcome = screener.screen(query, limit=1)
        name = query["properties"]["name"][0]
        if not outcome.results:
            table.add_row(name, "-", "", "", "", "no candidate")
            continue
        best = outcome.results[0]
        why = ", ".join(f"{f.feature} {f.contribution:+.2f}" for f in best.score.features[:3])
        table.add_row(
            name,
            best.record.caption,
            ", ".join(best.record.datasets),
            f"{best.score.score:.2f}",
            "[bold red]ALERT[/]" if best.score.match else "",
            why[:80],
        )
    console.print(table)
