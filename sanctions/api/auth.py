"""Authentication (API keys), authorisation (roles) and per-key rate limiting.

Every route that needs a key is declared with :func:`guarded`, which names the
roles allowed and documents the ``ApiKey`` security scheme in the OpenAPI
schema. :class:`GuardedRoute` checks the key, the role and the rate limit
*before* the request body is read or validated, so a caller without a valid
key learns nothing but 401.

A key is sent as ``Authorization: ApiKey <key>`` (what yente-client sends) or
``Authorization: Bearer <key>``; routes declared with ``guarded(..., query_key=True)``
(the reconciliation service, whose clients such as OpenRefine can only put a key in
the URL) also take it as the query parameter ``api_key`` (the header wins when both
are sent; :class:`QueryKeyFilter` masks it in uvicorn's access log). Answers: 401 with no key or an unknown or
revoked one, 403 when the key's role may not use the route, 429 with
``Retry-After`` over the key's rate limit.

Rate limits count work, not requests: besides one token per request, a route
:meth:`Guard.charge`-s the work it was asked for (``/match``: one per name, at
least one per query) to a second bucket per key, at the key's rate, that holds
at least one full batch of one-name queries. On PostgreSQL the buckets are
shared by every server over the store (:mod:`.limits`); when they cannot be
checked the answer is 503, never an unlimited request. Failed authentications
(an unknown, revoked or malformed key) are counted per client address, shared by
the servers like the rate limits: over ``auth_failures_per_minute`` the address
gets 429 without its key being looked up, so keys cannot be guessed at speed, not
even by spreading the guesses over N replicas.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .keys import ApiKey, KeyStore, hash_secret
from .limits import Limiter, LimiterUnavailable, RateLimiter, make_limiter
from .settings import ApiSettings

log = logging.getLogger(__name__)

__all__ = [
    "Principal",
    "Guard",
    "GuardedRoute",
    "QueryKeyFilter",
    "RateLimiter",
    "actor_of",
    "guarded",
    "request_actor",
    "QUERY_KEY_PARAM",
    "QUERY_SECURITY_SCHEME",
    "SECURITY_SCHEME",
]

SCHEME_NAME = "ApiKey"
SECURITY_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "Authorization",
    "description": "`Authorization: ApiKey <key>` or `Authorization: Bearer <key>`. "
    "Keys are made with `sanctions keys create --role screen|analyst|admin`.",
}
QUERY_SCHEME_NAME = "ApiKeyQuery"
QUERY_KEY_PARAM = "api_key"
QUERY_SECURITY_SCHEME = {
    "type": "apiKey",
    "in": "query",
    "name": QUERY_KEY_PARAM,
    "description": "The key as a query parameter, on the reconciliation routes only "
    "(for clients that cannot send headers, such as OpenRefine).",
}
LOCALHOST = frozenset({"127.0.0.1", "::1", "localhost"})
ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorResponse"}
CACHE_LIMIT = 10_000


def guarded(*roles: str, query_key: bool = False) -> dict[str, Any]:
    """``openapi_extra`` of a route that needs a key with one of ``roles`` (``query_key``:
    the key may also come as the ``api_key`` query parameter)."""
    responses = {
        str(code): {"description": text, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
        for code, text in (
            (401, "No API key, or an unknown or revoked one"),
            (403, f"The key's role may not use this route (allowed: {', '.join(roles)})"),
            (429, "Rate limit exceeded: retry after `Retry-After` seconds"),
            (503, "The shared rate limits cannot be checked (the store is unreachable)"),
        )
    }
    security: list[dict[str, list[str]]] = [{SCHEME_NAME: []}]
    extra: dict[str, Any] = {"x-roles": list(roles), "responses": responses}
    if query_key:
        security.append({QUERY_SCHEME_NAME: []})
        extra["x-key-in-query"] = True
    return {**extra, "security": security}


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key (``key_id``) or, in open-localhost mode, a local caller."""

    role: str
    name: str
    key_id: int | None = None
    rate_limit: float | None = None


def actor_of(principal: Principal | None) -> str:
    """The audit actor of a caller: its key (``api-key:3:alice``), or the open-mode caller."""
    if principal is None:
        return "api (unknown caller)"
    if principal.key_id is None:
        return principal.name
    return f"api-key:{principal.key_id}:{principal.name}"


def request_actor(request: Request) -> str:
    """The audit actor of the caller of ``request`` (:func:`actor_of` its principal)."""
    return actor_of(getattr(request.state, "principal", None))


MALFORMED = "Malformed Authorization header: expected 'ApiKey <key>' or 'Bearer <key>'."


def _credential(request: Request, query_key: bool = False) -> str | None:
    """The key sent, ``None`` when none was sent, ``""`` for a malformed header (or an
    empty ``api_key`` parameter, where the route takes one)."""
    header = request.headers.get("authorization")
    if not header:
        if query_key and QUERY_KEY_PARAM in request.query_params:
            return request.query_params[QUERY_KEY_PARAM].strip()
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() not in ("apikey", "bearer") or not value.strip():
        return ""
    return value.strip()


def _too_many(wait: float, detail: str) -> HTTPException:
    return HTTPException(
        429,
        detail=f"{detail}; retry in {wait:.2f}s.",
        headers={"Retry-After": str(max(1, math.ceil(wait)))},
    )


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy: as uvicorn's ``--proxy-headers`` set it)."""
    return request.client.host if request.client else "unknown"


def _take(limiter: Limiter, key: Any, rate: float | None, cost: float = 1.0) -> float:
    """The limiter's answer; 503 when it cannot be checked (fail closed, never unlimited)."""
    try:
        return limiter.take(key, rate, cost)
    except LimiterUnavailable as exc:
        raise HTTPException(
            503, detail=f"Rate limit unavailable: {exc}; retry later.", headers={"Retry-After": "5"}
        ) from exc


def _failure_wait(limiter: Limiter, host: str) -> float:
    """Take one failure from ``host``'s budget; the seconds it must now wait (0.0: none).
    Fails closed: when the shared budget cannot be checked, the address waits."""
    try:
        limiter.take(host)
        return limiter.wait(host)
    except LimiterUnavailable:
        return 5.0


class Guard:
    """Checks keys (with a short cache), roles and rate limits for one application."""

    def __init__(self, settings: ApiSettings, keys: KeyStore) -> None:
        self.settings = settings
        self.keys = keys
        mode, engine = settings.rate_store, keys.engine
        rate, burst = settings.rate_limit, settings.rate_burst
        # shared through the store on PostgreSQL: N replicas give a key its rate, not N times
        self.limiter: Limiter = make_limiter(mode, engine, rate, burst, prefix="req")
        # work: one token per name screened, at the key's rate; holds a batch at least
        floor = float(settings.max_batch)
        self.work: Limiter = make_limiter(mode, engine, rate, burst, floor=floor, prefix="work")
        per_minute = settings.auth_failures_per_minute
        # shared like the rate limits: N replicas allow an address its failures, not N times
        self.failures: Limiter = make_limiter(
            mode, engine, per_minute / 60.0, max(per_minute, 1.0), prefix="authfail"
        )
        self._blocked: dict[str, float] = {}  # address -> monotonic time it may try again
        self._cache: dict[str, tuple[ApiKey | None, float]] = {}

    async def _lookup(self, secret: str) -> ApiKey | None:
        ttl = self.settings.key_cache_seconds
        digest = hash_secret(secret)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[1] > now:
            return cached[0]
        key = await run_in_threadpool(self.keys.lookup, secret)
        if ttl > 0:
            if len(self._cache) > CACHE_LIMIT:
                self._cache.clear()
            self._cache[digest] = (key, now + ttl)
        return key

    async def authenticate(self, request: Request, query_key: bool = False) -> Principal:
        secret = _credential(request, query_key)
        host = client_address(request)
        if secret is None:
            if self.settings.open_localhost and host in LOCALHOST:
                return Principal(role="admin", name="localhost (open mode)")
            where = f" or the query parameter {QUERY_KEY_PARAM}=<key>" if query_key else ""
            raise HTTPException(
                401,
                detail=f"An API key is required: send 'Authorization: ApiKey <key>'{where}.",
                headers={"WWW-Authenticate": SCHEME_NAME},
            )
        wait = self._blocked.get(host, 0.0) - time.monotonic()
        if wait > 0:
            raise _too_many(wait, f"Too many failed authentications from {host}")
        key = await self._lookup(secret) if secret else None
        if key is None:
            await self._failed(host)
            log.warning("failed authentication from %s", host)
            detail = "Invalid or revoked API key." if secret else MALFORMED
            raise HTTPException(401, detail=detail, headers={"WWW-Authenticate": SCHEME_NAME})
        return Principal(role=key.role, name=key.name, key_id=key.id, rate_limit=key.rate_limit)

    async def _failed(self, host: str) -> None:
        """Count a failed authentication of ``host``; once its budget is spent, block it
        here until the budget refills. Only failures ask the (shared) store, so keyed
        requests that succeed cost no extra round trip; a replica learns that an address
        is blocked at its first failure there."""
        limiter = self.failures
        if limiter.shared:
            wait = await run_in_threadpool(_failure_wait, limiter, host)
        else:
            wait = _failure_wait(limiter, host)
        if wait > 0:
            if len(self._blocked) > CACHE_LIMIT:
                now = time.monotonic()
                self._blocked = {h: t for h, t in self._blocked.items() if t > now}
            self._blocked[host] = time.monotonic() + wait

    def authorise(self, principal: Principal, roles: list[str]) -> None:
        if principal.role not in roles and principal.role != "admin":
            raise HTTPException(
                403,
                detail=f"A key with role {principal.role!r} may not use this route "
                f"(allowed: {', '.join(roles)}).",
            )

    def throttle(self, principal: Principal) -> None:
        """Take one request from the key's bucket, or answer 429."""
        if principal.key_id is None:
            return
        wait = _take(self.limiter, principal.key_id, principal.rate_limit)
        if wait > 0:
            raise _too_many(wait, f"Rate limit exceeded for key {principal.name!r}")

    async def charge(self, request: Request, cost: float) -> None:
        """Take ``cost`` units of work (names screened) from the calling key's work bucket
        (off the event loop when the buckets are shared through the store)."""
        principal = getattr(request.state, "principal", None)
        if principal is None or principal.key_id is None or cost <= 0:
            return
        args = (self.work, principal.key_id, principal.rate_limit, cost)
        wait = await run_in_threadpool(_take, *args) if self.work.shared else _take(*args)
        if wait > 0:
            raise _too_many(
                wait, f"Rate limit exceeded for key {principal.name!r} ({cost:g} names to screen)"
            )

    async def limits_ready(self) -> str | None:
        """Why the rate limits cannot be checked now (``None``: they can): a replica whose
        shared limits are down refuses every keyed request, so it is not ready."""
        for limiter in (self.limiter, self.work):
            if limiter.shared:
                try:
                    await run_in_threadpool(limiter.check)
                except LimiterUnavailable as exc:
                    return str(exc)
        return None

    async def check(self, request: Request, roles: list[str], query_key: bool = False) -> Principal:
        principal = await self.authenticate(request, query_key)
        self.authorise(principal, roles)
        if self.limiter.shared:  # it asks the store: off the event loop
            await run_in_threadpool(self.throttle, principal)
        else:
            self.throttle(principal)
        request.state.principal = principal
        return principal


class GuardedRoute(APIRoute):
    """A route whose ``openapi_extra['x-roles']`` (see :func:`guarded`) is enforced first."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        roles = list((self.openapi_extra or {}).get("x-roles") or [])
        query_key = bool((self.openapi_extra or {}).get("x-key-in-query"))
        if not roles:
            return handler

        async def guarded_handler(request: Request) -> Response:
            guard: Guard = request.app.state.guard
            await guard.check(request, roles, query_key)
            return await handler(request)

        return guarded_handler


_QUERY_KEY = re.compile(rf"([?&]{QUERY_KEY_PARAM}=)[^&#\s]*", re.IGNORECASE)


def mask_query_key(text: str) -> str:
    """``text`` (a request path or log line) with any ``api_key`` value as ``***``."""
    return _QUERY_KEY.sub(r"\1***", text)


class QueryKeyFilter(logging.Filter):
    """Masks ``api_key`` values in log records (uvicorn's access log writes the full path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(
            isinstance(a, str) and QUERY_KEY_PARAM in a.lower() for a in record.args
        ):
            record.args = tuple(mask_query_key(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str) and QUERY_KEY_PARAM in record.msg.lower():
            record.msg = mask_query_key(record.msg)
        return True
