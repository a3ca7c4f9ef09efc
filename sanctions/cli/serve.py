"""Commands for the HTTP API: ``sanctions serve`` and ``sanctions keys create|list|revoke``."""

from __future__ import annotations

import ipaddress
import os
from typing import Any

import click
from rich.table import Table

from .app import console, db_option, err_console, main, open_store, print_json

LOOPBACK_NAMES = ("localhost",)
# uvicorn kills a worker that does not answer its health check in time (5 s by default).
# A worker starting up holds the GIL for seconds at a time while rigour builds its
# name taggers (10 s of CPU here, far more on a loaded machine): with the default, every
# worker was killed and restarted again and again before it could serve.
WORKER_HEALTHCHECK_SECONDS = 300


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--open-localhost",
    is_flag=True,
    help="Development only: requests from 127.0.0.1/::1 need no API key (admin rights). "
    "Refused unless --host is a loopback address.",
)
@click.option("--cors-origin", "cors_origins", multiple=True, help="Allow this CORS origin.")
@click.option("--log-level", default="warning", show_default=True, help="uvicorn log level.")
@click.option(
    "--keep-alive",
    type=click.IntRange(1, 3600),
    default=75,
    show_default=True,
    help="Seconds an idle keep-alive connection stays open. Behind a load balancer, keep "
    "it above the balancer's idle timeout, so the balancer always closes first (a "
    "request sent as the server closes the connection fails).",
)
@db_option
@click.pass_context
def serve_cmd(ctx: click.Context, db_sub: str | None, **opts: Any) -> None:
    """Serve the yente-compatible HTTP API (/match, /search, /entities, /catalog...).

    \b
      sanctions keys create --role screen --name payments   # prints the key once
      sanctions serve --port 8000 --workers 2
      curl -H "Authorization: ApiKey $KEY" localhost:8000/catalog
    """
    import uvicorn

    from sanctions.api import ApiSettings
    from sanctions.api.server import PROTOCOL

    if opts["open_localhost"] and not _is_loopback(opts["host"]):
        raise click.UsageError("--open-localhost needs a loopback --host (127.0.0.1, ::1)")
    store = open_store(ctx, db_sub)  # creates or migrates the schema once, before the workers
    db = db_sub or ctx.obj.get("db")
    store.close()
    settings = ApiSettings.from_env()
    settings.db = str(db) if db else None
    settings.open_localhost = bool(opts["open_localhost"])
    settings.cors_origins = settings.cors_origins + list(opts["cors_origins"])
    os.environ.update(settings.to_env())
    err_console.print(
        f"serving on http://{opts['host']}:{opts['port']} ({opts['workers']} worker(s))"
        + (" [yellow]open on localhost: no key needed[/]" if settings.open_localhost else ""),
        highlight=False,
    )
    uvicorn.run(
        "sanctions.api.app:create_app_from_env",
        factory=True,
        host=opts["host"],
        port=opts["port"],
        workers=opts["workers"],
        log_level=opts["log_level"],
        timeout_graceful_shutdown=10,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        timeout_keep_alive=opts["keep_alive"],
        http=PROTOCOL,
    )


@main.group("keys")
def keys_group() -> None:
    """API keys of the HTTP API (stored hashed): create, list, revoke."""


def _key_store(ctx: click.Context, db_sub: str | None) -> Any:
    from sanctions.api import KeyStore

    return KeyStore(open_store(ctx, db_sub).engine)


@keys_group.command("create")
@click.option("--name", required=True, help="Who or what uses the key (e.g. payments-prod).")
@click.option(
    "--role",
    type=click.Choice(["screen", "analyst", "admin"]),
    default="screen",
    show_default=True,
    help="screen: /match and reads; analyst: reads; admin: all, incl. /updatez.",
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(0),
    default=None,
    help="Requests per second for this key (0: none; default: the server's).",
)
@click.option("--json", "as_json", is_flag=True)
@db_option
@click.pass_context
def keys_create(
    ctx: click.Context,
    name: str,
    role: str,
    rate_limit: float | None,
    as_json: bool,
    db_sub: str | None,
) -> None:
    """Create a key and print it ONCE (only its hash is stored)."""
    key, secret = _key_store(ctx, db_sub).create(name, role, rate_limit)
    if as_json:
        print_json({**key.to_dict(), "key": secret})
        return
    click.echo(secret)
    err_console.print(
        f"key {key.id} ({key.prefix}…) for {key.name!r}, role {key.role}: "
        "store it now, it cannot be shown again",
        highlight=False,
    )


@keys_group.command("list")
@click.option("--active", is_flag=True, help="Leave out revoked keys.")
@click.option("--json", "as_json", is_flag=True)
@db_option
@click.pass_context
def keys_list(ctx: click.Context, active: bool, as_json: bool, db_sub: str | None) -> None:
    """List keys: id, prefix, name, role, rate limit, created, revoked."""
    keys = _key_store(ctx, db_sub).list(include_revoked=not active)
    if as_json:
        print_json([k.to_dict() for k in keys])
        return
    table = Table(title="API keys")
    for column in ("id", "prefix", "name", "role", "rate limit", "created", "revoked"):
        table.add_column(column)
    for k in keys:
        rate = (
            "default"
            if k.rate_limit is None
            else ("none" if k.rate_limit == 0 else f"{k.rate_limit:g}/s")
        )
        table.add_row(
            str(k.id), k.prefix + "…", k.name, k.role, rate, k.created_at, k.revoked_at or ""
        )
    console.print(table)


@keys_group.command("revoke")
@click.argument("key_ref")
@db_option
@click.pass_context
def keys_revoke(ctx: click.Context, key_ref: str, db_sub: str | None) -> None:
    """Revoke a key given by its id, its prefix or the key itself (servers drop it
    within SANCTIONS_API_KEY_CACHE_SECONDS, default 5 s)."""
    key = _key_store(ctx, db_sub).revoke(key_ref)
    console.print(f"key {key.id} ({key.prefix}…, {key.name!r}) revoked at {key.revoked_at}")
