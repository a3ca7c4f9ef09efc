"""The root click group, shared options and error handling."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console

from sanctions import __version__
from sanctions.errors import SanctionsError

# Off a terminal (a file, a pipe, a test): wide tables, and messages never broken
# into several lines (rich would assume 80 columns and wrap).
console = Console(width=None if sys.stdout.isatty() else 160, soft_wrap=not sys.stdout.isatty())
err_console = Console(
    stderr=True, width=None if sys.stderr.isatty() else 160, soft_wrap=not sys.stderr.isatty()
)


class SanctionsGroup(click.Group):
    """Turns our errors into one clear line on stderr and a non-zero exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SanctionsError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            sys.exit(2)


@click.group(cls=SanctionsGroup)
@click.version_option(__version__, prog_name="sanctions")
@click.option(
    "--db",
    envvar="SANCTIONS_DB",
    default=None,
    metavar="PATH|URL",
    help="Store: SQLite file path or postgresql:// URL (env SANCTIONS_DB; default: user data dir).",
)
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
@click.pass_context
def main(ctx: click.Context, db: str | None, verbose: int) -> None:
    """Coordinated sanctions screening: ingest the official lists, screen, compare."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))
    ctx.ensure_object(dict)
    ctx.obj["db"] = db


def db_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`--db` on a subcommand too (so it may follow the command name)."""
    return click.option(
        "--db",
        "db_sub",
        default=None,
        metavar="PATH|URL",
        help="Store: SQLite file path or postgresql:// URL (overrides the global --db).",
    )(fn)


def expect_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`--expect ID:HASH`: an audit head exported earlier that the log must still contain."""
    return click.option(
        "--expect",
        default=None,
        metavar="ID:HASH",
        help="An audit head exported earlier (`sanctions audit head`) the log must still contain.",
    )(fn)


def open_store(ctx: click.Context, db_sub: str | None = None) -> Any:
    from sanctions.store import Store

    return Store.open(db_sub or ctx.obj.get("db"))


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
