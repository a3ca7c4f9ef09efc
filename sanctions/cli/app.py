"""The root click group, shared options and error handling."""

from __future__ import annotations

import contextlib
import difflib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy.exc import OperationalError

from sanctions import __version__
from sanctions.errors import ConfigError, SanctionsError
from sanctions.redact import redact_urls

from .terminal import SafeConsole, SafeFormatter, safe_text

if TYPE_CHECKING:
    from sanctions.store import Store

# Off a terminal (a file, a pipe, a test): wide tables, and messages never broken
# into several lines (rich would assume 80 columns and wrap). Both consoles show
# data (names from lists and queries) as text, never as terminal controls.
console = SafeConsole(width=None if sys.stdout.isatty() else 160, soft_wrap=not sys.stdout.isatty())
err_console = SafeConsole(
    stderr=True, width=None if sys.stderr.isatty() else 160, soft_wrap=not sys.stderr.isatty()
)


class SanctionsGroup(click.Group):
    """Turns our errors into one clear line on stderr and exit code 2.

    Besides :class:`SanctionsError`: operating-system errors (a file that cannot
    be read or written, a full disk) and the database refusing to work (locked,
    unreachable) are conditions, not bugs, and get the same one line. Programming
    errors (``TypeError``, ``AttributeError``...) keep their traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SanctionsError as exc:
            _fail(str(exc))
        except BrokenPipeError:  # `sanctions export | head`: the reader left, stop quietly
            _silence_stdout()
            sys.exit(1)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or exc}")
        except OperationalError as exc:
            cause = " ".join(str(getattr(exc, "orig", None) or exc).split())
            if cause.startswith(_SQL_BUGS):  # SQLite files these under OperationalError too
                raise
            _fail(f"the store failed: {cause}")


_SQL_BUGS = ("no such table", "no such column", "syntax error", "near ")


def _fail(message: str) -> None:
    err_console.print(
        f"[bold red]error:[/] {redact_urls(message)}", highlight=False, soft_wrap=True
    )
    sys.exit(2)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that flushing it at exit raises nothing more."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


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
    handler = logging.StreamHandler()
    handler.setFormatter(SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
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


def require_datasets(store: Store, datasets: Iterable[str], option: str = "--dataset") -> list[str]:
    """The dataset ids a command was given, each one checked against the store.

    A filter that names no stored dataset must not fail open (an empty export, an
    empty report that reads "nothing listed"): an unknown id, or one with no
    version loaded, is an error naming the option, the closest id and the ids held.
    """
    held = sorted(d.id for d in store.datasets() if d.version_count)
    wanted = list(dict.fromkeys(datasets))
    for dataset in wanted:
        if dataset in held:
            continue
        close = difflib.get_close_matches(dataset, held, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(
            f"{option} {dataset!r}: no such dataset in the store{hint} "
            f"(datasets held: {', '.join(held) or 'none; load a list first'})"
        )
    return wanted


def print_json(data: Any) -> None:
    # safe_text turns C1 and bidi controls into JSON escapes: the same data, inert on a terminal
    click.echo(safe_text(json.dumps(data, ensure_ascii=False, indent=2, default=str)))
