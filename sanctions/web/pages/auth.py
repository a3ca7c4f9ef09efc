"""Sign in (with an API key), sign out, and the front page.

The sign-in form is protected against login CSRF by a double-submit token: a
random cookie set with the form, which the POST must repeat. Failed sign-ins
count against the client address as failed API authentications do (429 over
the limit), so keys cannot be guessed through the form either.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..render import page
from ..security import READ, SCREEN, WebError, check_csrf, viewer_of
from ..sessions import COOKIE

router = APIRouter()

LOGIN_COOKIE = "sanctions_login_csrf"
MAX_KEY = 200


def login_url(target: str) -> str:
    return f"/ui/login?next={quote(target, safe='')}"


def safe_next(target: str | None) -> str:
    """Only a page of this site: a path under /ui/ (never //host or a scheme)."""
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui/"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(request: Request, error: str = "", status: int = 200) -> Response:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    nxt = safe_next(request.query_params.get("next"))
    data = {"error": error, "next": nxt, "login_csrf": token}
    response = page(request, "login.html", data, None, status)
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/ui"
    )
    return response


@router.get("/ui", include_in_schema=False)
@router.get("/ui/", include_in_schema=False)
async def home(request: Request) -> Response:
    viewer = await viewer_of(request)
    first = "/ui/screen" if viewer.may(SCREEN) else "/ui/lists" if viewer.may(READ) else "/ui/"
    return RedirectResponse(first, 303)


@router.get("/ui/login", include_in_schema=False)
async def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/ui/login", include_in_schema=False)
async def login(request: Request) -> Response:
    form = await request.form()
    sent, cookie = form.get("login_csrf"), request.cookies.get(LOGIN_COOKIE)
    if not isinstance(sent, str) or not cookie or not hmac.compare_digest(sent, cookie):
        raise WebError(403, "The sign-in form expired: reload it and sign in again.")
    secret = str(form.get("api_key") or "").strip()
    if not secret:
        return _login_page(request, "Paste your API key (sanctions keys create).", 400)
    if len(secret) > MAX_KEY:
        return _login_page(request, f"That is not an API key (over {MAX_KEY} characters).", 400)
    guard = request.app.state.guard
    host = request.client.host if request.client else "unknown"  # as the API counts
    wait = guard.failures.wait(host)
    if wait > 0:
        raise WebError(429, f"Too many failed sign-ins from {host}: retry in {wait:.0f}s.")
    key = await run_in_threadpool(guard.keys.lookup, secret)
    if key is None:
        guard.failures.take(host)
        return _login_page(request, "Unknown or revoked API key.", 401)
    token = await run_in_threadpool(request.app.state.web_sessions.open, key.id)
    response = RedirectResponse(safe_next(str(form.get("next") or "")), 303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=request.app.state.web_sessions.minutes * 60,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/ui")
    return response


@router.post("/ui/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    viewer = await viewer_of(request)
    check_csrf(viewer, await request.form())
    await run_in_threadpool(request.app.state.web_sessions.close, request.cookies.get(COOKIE))
    response = RedirectResponse("/ui/login", 303)
    response.delete_cookie(COOKIE, path="/")
    return response
