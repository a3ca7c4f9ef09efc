"""Who is looking at a page, what they may do, and the headers every page carries.

A page is seen by a :class:`Viewer`: a signed-in session (cookie) or, for the
JSON twins, an API key sent as the API takes it (``Authorization: ApiKey ...``).
Roles are the API's: :func:`require` refuses a role the matching API route
refuses (``admin`` may do everything). Every form POST from a session must
carry the session's CSRF token (:func:`check_csrf`); a POST authenticated by
an ``Authorization`` header needs none (a browser cannot send one cross-site).
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .sessions import COOKIE, SessionStore

__all__ = [
    "Viewer",
    "WebError",
    "SignInRequired",
    "viewer_of",
    "require",
    "check_csrf",
    "SecurityHeaders",
    "SCREEN",
    "READ",
    "DECIDE",
    "ADMIN",
    "ANALYSE",
]

# The roles of the API routes each page stands for (sanctions/api/routes/*).
SCREEN = ("screen", "admin")  # POST /match
READ = ("screen", "analyst", "admin")  # /entities, /catalog, GET /alerts
DECIDE = ("analyst", "admin")  # POST /alerts/{id}/decision
ADMIN = ("admin",)  # /audit/verify, /audit/export
ANALYSE = ("analyst", "admin")  # coverage, gaps, timeline (CLI reports; no API route)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class WebError(Exception):
    """An error shown as a page (or as ``{"detail"}`` to a JSON twin)."""

    def __init__(self, status: int, detail: str, title: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or {
            400: "Bad input",
            403: "Not allowed",
            404: "Not found",
            409: "Conflict",
            413: "Too large",
            503: "Not ready",
        }.get(status, "Error")


class SignInRequired(Exception):
    """No session: a page redirects to the sign-in form, a JSON twin answers 401."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in analyst (or API key) a page is rendered for."""

    role: str
    name: str
    key_id: int | None
    csrf: str | None = None  # None: authenticated by header, not by a session cookie

    @property
    def actor(self) -> str:
        """The audit actor, as the API writes it (``api-key:<id>:<name>``)."""
        return f"api-key:{self.key_id}:{self.name}"

    def may(self, roles: tuple[str, ...]) -> bool:
        return self.role == "admin" or self.role in roles


async def viewer_of(request: Request) -> Viewer:
    """The viewer of a request: its session, else its API key header, else sign in."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    sessions: SessionStore = request.app.state.web_sessions
    session = await run_in_threadpool(sessions.find, request.cookies.get(COOKIE))
    if session is not None:
        viewer = Viewer(session.role, session.name, session.key_id, session.csrf)
    elif request.headers.get("authorization"):
        principal = await request.app.state.guard.authenticate(request)
        viewer = Viewer(principal.role, principal.name, principal.key_id)
    else:
        raise SignInRequired
    request.state.viewer = viewer
    return viewer


async def require(request: Request, roles: tuple[str, ...]) -> Viewer:
    """The viewer, if their role may use a page standing for an API route with ``roles``."""
    viewer = await viewer_of(request)
    if not viewer.may(roles):
        raise WebError(
            403,
            f"A key with role {viewer.role!r} may not use this page (allowed: {', '.join(roles)}).",
        )
    return viewer


def check_csrf(viewer: Viewer, form: FormData | dict[str, Any]) -> None:
    """Refuse a session's POST without the session's CSRF token (403)."""
    if viewer.csrf is None:
        return
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, viewer.csrf):
        raise WebError(
            403,
            "The form's security token is missing or out of date: reload the page and retry.",
        )


class SecurityHeaders:
    """CSP (no inline script), no sniffing, no framing, no referrer on every /ui response,
    and ``Server-Timing: app;dur=<ms>`` (the server's time to the response's start)."""

    def __init__(self, app: ASGIApp, prefix: str = "/ui") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers") or [])
                headers += [
                    (b"server-timing", f"app;dur={took:.1f}".encode()),
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cache-control", b"no-store"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
