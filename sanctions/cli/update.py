"""`sanctions update`: fetch the official lists and load new versions."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import click

from sanctions.download import DEFAULT_DEADLINE, DEFAULT_RETRIES, DEFAULT_TIMEOUT

from .app import console, db_option, err_console, main, open_store, print_json
from .versions import gate_options, gate_policy
from .watch import print_resolved

if TYPE_CHECKING:
    from sanctions.update import UpdateReport


@main.command("update")
@click.argument("datasets", nargs=-1)
@click.option(
    "--mirror",
    envvar="SANCTIONS_MIRROR",
    default=None,
    metavar="DIR_OR_URL",
    help="Fetch from a mirror laid out as <mirror>/<dataset>/<file> instead of the official URLs.",
)
@click.option(
    "--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True, help="Seconds per request."
)
@click.option(
    "--retries", type=int, default=DEFAULT_RETRIES, show_default=True, help="Retries on errors."
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=1.0),
    default=DEFAULT_DEADLINE,
    show_default=True,
    help="Most seconds one file may take in all (retries included).",
)
@click.option(
    "--allow-insecure-mirror",
    is_flag=True,
    envvar="SANCTIONS_ALLOW_INSECURE_MIRROR",
    help="Let a mirror or URL override use plain http and redirect to other hosts.",
)
@click.option(
    "--rescreen",
    is_flag=True,
    help="Then re-screen the watched records (a delta run; resolves the clusters first "
    "when the lists were resolved before, as `rescreen --resolve`).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@gate_options
@db_option
@click.pass_context
def update_cmd(
    ctx: click.Context,
    datasets: tuple[str, ...],
    mirror: str | None,
    timeout: float,
    retries: int,
    deadline: float,
    allow_insecure_mirror: bool,
    rescreen: bool,
    as_json: bool,
    db_sub: str | None,
    **gate_opts: Any,
) -> None:
    """Download each authority's current list and load it (all datasets if none named).

    A failed download or load leaves the last good version current, says so, and
    makes the exit code 1; the other datasets are still updated. So does a version
    the gates refuse (another list's content), keep as older history, or hold for
    approval (`sanctions versions pending`): it is never used for screening, and
    --rescreen never closes an alert because of it.
    """
    from sanctions.update import UpdateJob  # at run time: `sanctions --help` stays quick

    started = time.monotonic()
    job = UpdateJob(
        list(datasets) or None,
        mirror=mirror,
        policy=gate_policy(gate_opts),
        rescreen=rescreen,
        fetch_options={
            "timeout": timeout,
            "retries": retries,
            "deadline": deadline,
            "allow_insecure_mirror": allow_insecure_mirror,
        },
    )
    store = open_store(ctx, db_sub)

    def show(report: UpdateReport) -> None:
        if not as_json:
            bad = report.failed or report.blocked
            (err_console if bad else console).print(report.summary(), highlight=False, markup=False)

    outcome = job.run(store, on_report=show)
    run = outcome.rescreen
    if run is not None and not as_json:  # the time of each step: per dataset above, the run
        print_resolved(run)
        console.print(f"rescreen: {run.summary()}", highlight=False)
        total = time.monotonic() - started
        console.print(f"update and rescreen: {total:.1f} s in all", highlight=False)
    if as_json:
        data = [r.to_dict() for r in outcome.reports]
        print_json({"updates": data, "rescreen": run.to_dict()} if run is not None else data)
    if not outcome.ok:
        sys.exit(1)
