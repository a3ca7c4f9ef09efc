"""`sanctions versions`: list versions held by the gates, approve or reject them.

Also the gate options shared by `load` and `update` (``--allow-older``,
``--max-entity-drop`` ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from rich.table import Table

from .app import console, db_option, main, open_store, print_json

__all__ = ["gate_options", "gate_policy"]


class Share(click.ParamType):
    """A share between 0 and 1, written ``0.05`` or ``5%``."""

    name = "share"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float):
            return value
        text = str(value).strip()
        try:
            share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            self.fail(f"{value!r} is not a share (write 0.05 or 5%)", param, ctx)
        if not 0 <= share <= 1:
            self.fail(f"{value!r} is not between 0 and 1 (0% and 100%)", param, ctx)
        return share


def gate_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The gate options of `load` and `update` (defaults from SANCTIONS_GATE_* variables)."""
    options = [
        click.option(
            "--allow-older",
            is_flag=True,
            help="Let content older than the current version become current.",
        )
    ]
    for what, plural, default in (
        ("entity", "entities", "5%"),
        ("name", "names", "10%"),
        ("alias", "aliases", "20%"),
    ):
        options.append(
            click.option(
                f"--max-{what}-drop",
                type=Share(),
                default=None,
                help=f"Hold a version that loses more than this share of {plural} "
                f"(default {default}, env SANCTIONS_GATE_MAX_{what.upper()}_DROP).",
            )
        )
    for option in reversed(options):
        fn = option(fn)
    return fn


def gate_policy(opts: dict[str, Any]) -> Any:
    """The gate policy from the environment and the gate options (removed from ``opts``)."""
    from sanctions.store.gates import GatePolicy

    return GatePolicy.from_env(
        allow_older=opts.pop("allow_older") or None,
        max_entity_drop=opts.pop("max_entity_drop"),
        max_name_drop=opts.pop("max_name_drop"),
        max_alias_drop=opts.pop("max_alias_drop"),
    )


@main.group("versions")
def versions_group() -> None:
    """List versions the gates held (or kept as older history): review, approve, reject."""


@versions_group.command("pending")
@click.argument("dataset", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@db_option
@click.pass_context
def pending_cmd(ctx: click.Context, dataset: str | None, as_json: bool, db_sub: str | None) -> None:
    """Versions awaiting a decision, with why they were held."""
    store = open_store(ctx, db_sub)
    pending = store.pending_versions(dataset)
    if as_json:
        print_json([v.to_dict() for v in pending])
        return
    if not pending:
        console.print("No version is pending approval.")
        return
    table = Table("dataset", "version", "id", "status", "entities", "-", "loaded", "file", "why")
    for v in pending:
        table.add_row(
            v.dataset,
            f"v{v.seq}",
            str(v.id),
            v.status or "",
            f"{v.entity_count:,}",
            f"{v.removed:,}",
            v.loaded_at,
            v.source_file or "",
            "; ".join(v.gate_reasons or []),
        )
    console.print(table)
    console.print(
        "Compare with `sanctions diff DATASET --to vN`, then "
        "`sanctions versions approve|reject DATASET vN`."
    )


def _decide(ctx: click.Context, approve: bool, **opts: Any) -> None:
    store = open_store(ctx, opts["db_sub"])
    decide = store.approve_version if approve else store.reject_version
    version = decide(opts["dataset"], opts["version"], actor=opts["actor"], note=opts["note"])
    if opts["as_json"]:
        print_json(version.to_dict())
        return
    if approve:
        console.print(
            f"{version.dataset}: v{version.seq} approved by {version.decided_by}: now current "
            f"({version.entity_count:,} entities, +{version.added:,} -{version.removed:,} "
            f"~{version.changed:,} against the previous current version)",
            highlight=False,
        )
    else:
        console.print(
            f"{version.dataset}: v{version.seq} rejected by {version.decided_by}; "
            "the current version is unchanged",
            highlight=False,
        )


def _admin_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--note``, ``--actor``, ``--json`` and ``--db`` of an admin's decision on a version."""
    for option in (
        click.pass_context,
        db_option,
        click.option("--json", "as_json", is_flag=True, help="Print the version as JSON."),
        click.option(
            "--actor", default=None, help="Who decides (default: $SANCTIONS_ACTOR or OS user)."
        ),
        click.option("--note", default=None, help="Why (kept in the audit log)."),
    ):
        fn = option(fn)
    return fn


def _decision_command(name: str, approve: bool, doc: str) -> None:
    @versions_group.command(name, help=doc)
    @click.argument("dataset")
    @click.argument("version")
    @_admin_options
    def command(ctx: click.Context, **opts: Any) -> None:
        _decide(ctx, approve, **opts)


_decision_command(
    "approve",
    True,
    "Make a held (or older) VERSION (id, vN or hash prefix) of DATASET current.\n\n"
    "Its diff is recomputed against the version current now; alerts on entities it "
    "removes are closed at the next re-screening.",
)
_decision_command(
    "reject",
    False,
    "Reject a held (or older) VERSION of DATASET: it stays history, never current; "
    "the same content loaded again is reported as rejected.",
)


@versions_group.command("rollback")
@click.argument("dataset")
@click.option(
    "--to", "to_ref", required=True, help="The earlier version to make current (vN, id, hash)."
)
@click.option(
    "--confirm",
    is_flag=True,
    help="Go ahead although the rollback removes entities listed now.",
)
@_admin_options
def rollback_cmd(ctx: click.Context, **opts: Any) -> None:
    """Make an earlier version of DATASET current again, as a new version (audited).

    The new version (status `rollback`) holds the earlier version's content; its diff
    against the version it replaces is stored. Held, older and rejected versions are
    refused (approve them instead). A rollback that removes entities listed now needs
    --confirm. Alerts are not closed by a rollback: only a later approved list
    version that drops an entity closes its alerts.
    """
    store = open_store(ctx, opts["db_sub"])
    version = store.rollback_version(
        opts["dataset"],
        opts["to_ref"],
        actor=opts["actor"],
        note=opts["note"],
        confirm=opts["confirm"],
    )
    if opts["as_json"]:
        print_json(version.to_dict())
        return
    target = store.get_version(version.dataset, version.rollback_of or version.id)
    console.print(
        f"{version.dataset}: rolled back to v{target.seq} by {version.decided_by}: "
        f"v{version.seq} is now current ({version.entity_count:,} entities, "
        f"+{version.added:,} -{version.removed:,} ~{version.changed:,} against the version "
        "it replaces); alerts stay open until a later approved version",
        highlight=False,
    )
