"""The ``spark-screen`` command: a customer file screened on Apache Spark."""

from __future__ import annotations

import time
from typing import Any

import click

from sanctions.errors import SanctionsError
from sanctions.screening.batch import FILE_CUTOFF

from .app import db_option, err_console, main, print_json
from .screen import column_map, column_options, versions_text


@main.command("spark-screen")
@click.argument("source", metavar="INPUT")
@click.argument("output", metavar="OUTPUT")
@click.option(
    "--master",
    default="local[*]",
    show_default=True,
    help="Spark master: local[*], local[N], spark://host:7077, yarn...",
)
@click.option(
    "--conf", "confs", multiple=True, metavar="KEY=VALUE", help="Any Spark setting (repeatable)."
)
@click.option("--format", "in_format", type=click.Choice(["csv", "parquet"]), default=None)
@click.option("--out-format", type=click.Choice(["csv", "parquet"]), default=None)
@click.option("--delimiter", default=None, help="CSV field delimiter (default ,).")
@click.option("--encoding", default=None, help="CSV encoding (default UTF-8).")
@click.option("--date-format", default=None, metavar="FORMAT", help="DD/MM/YYYY, MM/DD/YYYY...")
@click.option("--schema", default=None, help="Schema of every row (default LegalEntity).")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None, help="Match score.")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--cutoff", type=click.FloatRange(0.0, 1.0), default=FILE_CUTOFF, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@column_options
@db_option
@click.pass_context
def spark_screen_cmd(ctx: click.Context, source: str, output: str, **opts: Any) -> None:
    """Screen every row of INPUT (CSV or Parquet) on Spark; matches to the OUTPUT folder.

    The index is built once here from the store (--db: a SQLite file or a PostgreSQL
    URL), shipped to the executors as one file, and loaded once per executor Python
    worker. Executors need this package installed (the same version). Needs
    `pip install 'sanctions[spark]'` and Java.

    \b
      sanctions spark-screen customers.parquet matches.parquet --master 'local[*]'
      sanctions spark-screen s3a://bank/customers.csv s3a://bank/matches.parquet \\
          --master yarn --id-column cust_id --name-column full_name
    """
    from sanctions.spark import screen_files, session

    _require_pyspark()
    conf = {}
    for item in opts["confs"]:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.UsageError(f"--conf {item!r}: expected KEY=VALUE")
        conf[key.strip()] = value.strip()
    cmap = column_map(opts)
    db = opts.pop("db_sub") or ctx.obj.get("db")
    from pyspark.sql import SparkSession

    own = SparkSession.getActiveSession() is None  # stop only a session started here
    started = time.perf_counter()
    spark = session(opts["master"], **conf)
    session_seconds = time.perf_counter() - started
    try:
        summary = screen_files(
            spark,
            source,
            output,
            db_store(db),
            cmap.props,
            in_format=opts["in_format"],
            out_format=opts["out_format"],
            delimiter=opts["delimiter"],
            encoding=opts["encoding"],
            id_column=cmap.id_column,
            schema_column=cmap.schema_column,
            schema=cmap.schema,
            date_format=opts["date_format"],
            threshold=opts["threshold"],
            limit=opts["limit"],
            cutoff=opts["cutoff"],
        )
    finally:
        if own:
            spark.stop()
    if opts["as_json"]:
        print_json({**summary.__dict__, "session_seconds": round(session_seconds, 2)})
        return
    err_console.print(
        f"{summary.rows:,} rows: {summary.alerts:,} with a match, {summary.errors:,} bad rows "
        f"(see the error column); {summary.seconds:.1f}s after a {session_seconds:.1f}s session "
        f"start ({summary.rows_per_second:,.0f} rows/s); list versions "
        f"{versions_text(summary.list_versions)}; results in {output}; run {summary.run_id} "
        "(audit log)",
        highlight=False,
    )


def db_store(db: Any) -> Any:
    from sanctions.store import Store

    return Store.open(db)


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SanctionsError(
            "spark-screen needs PySpark: pip install 'sanctions[spark]' (and Java)"
        ) from exc
