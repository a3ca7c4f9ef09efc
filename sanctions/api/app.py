"""The FastAPI application factory.

    app = create_app(ApiSettings(db="lists.db"))        # or create_app_from_env()

Every error has one JSON shape, ``{"detail": "<one line>"}`` (validation errors
add ``errors``, the list pydantic gives). Request bodies over the size limit are
refused with 413 before they are read whole. CORS is off unless origins are set.

Hardening: no trailing-slash redirects (they would echo the Host header); the
interactive docs (``/docs``, ``/redoc``) are served with their scripts from this
server, never from a public CDN; HEAD is answered wherever GET is; text that is
not valid Unicode (lone surrogates) is a 400, not a 500.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sanctions import __version__
from sanctions.errors import ConflictError, NotFoundError, SanctionsError
from sanctions.screening import QueryLimitError
from sanctions.store import Store
from sanctions.web import install_web

from .auth import (
    QUERY_SCHEME_NAME,
    QUERY_SECURITY_SCHEME,
    SCHEME_NAME,
    SECURITY_SCHEME,
    Guard,
    QueryKeyFilter,
)
from .holder import IndexHolder
from .keys import KeyStore
from .routes import data, match, payments, reconciliation, system, unsupported, watch
from .settings import ApiSettings

log = logging.getLogger(__name__)

__all__ = ["create_app", "create_app_from_env"]

DESCRIPTION = """Sanctions screening over HTTP, compatible with the yente API
(OpenSanctions): `/match`, `/search`, `/entities`, `/catalog`, `/algorithms`.

Send an API key as `Authorization: ApiKey <key>` (or `Bearer <key>`); keys are
made with `sanctions keys create`. `/healthz`, `/readyz` and this schema need none.
Errors are `{"detail": "..."}`. See docs/api.md for curl examples."""


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuses request bodies over ``max_bytes`` (413), by header or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        detail = f"Request body too large (limit: {self.max_bytes} bytes)"
        if str(scope.get("path", "")).startswith("/ui/"):  # an analyst's page: say it on a page
            body, content_type = _too_large_page(self.max_bytes), b"text/html; charset=utf-8"
        else:
            body, content_type = json.dumps({"detail": detail}), b"application/json"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", content_type)],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def _too_large_page(max_bytes: int) -> str:
    """A plain page (no script, no outside resource) for an upload over the body limit."""
    limit = f"{max_bytes / 1_048_576:.1f} MiB"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Too large - '
        'sanctions</title><link rel="stylesheet" href="/ui/static/style.css"></head><body>'
        f"<main><h1>Too large</h1><p>The file or form is larger than the limit of {limit}: "
        "nothing was kept. Split the file and upload the parts, or screen it with "
        '<code>sanctions screen --file</code>.</p><p><a href="/ui/screen">Back to Screen</a>'
        "</p></main></body></html>"
    )


class HeadMiddleware:
    """Answers HEAD as GET without the body, wherever GET is allowed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headless_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headless_send)


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        loc = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{loc}: {error.get('msg', 'invalid')}" if loc else error.get("msg", ""))
    return "Invalid request: " + "; ".join(parts)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":  # no route: say so, and where
            detail = (
                f"No such route: {request.method} {request.url.path} "
                "(see /openapi.json for the routes this server answers)"
            )
        return JSONResponse({"detail": detail}, exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = json.loads(json.dumps(exc.errors(), default=str))
        return JSONResponse({"detail": _validation_detail(exc), "errors": errors}, 422)

    @app.exception_handler(QueryLimitError)
    async def limit_error(request: Request, exc: QueryLimitError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, 422)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": _sentence(str(exc))}, 404)

    @app.exception_handler(ConflictError)
    async def conflict(request: Request, exc: ConflictError) -> JSONResponse:
        return JSONResponse({"detail": _sentence(str(exc))}, 409)

    @app.exception_handler(SanctionsError)
    async def sanctions_error(request: Request, exc: SanctionsError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, 400)

    @app.exception_handler(UnicodeEncodeError)
    async def unicode_error(request: Request, exc: UnicodeEncodeError) -> JSONResponse:
        if exc.reason != "surrogates not allowed":
            return await server_error(request, exc)
        detail = "Invalid text: the input holds a lone surrogate (not valid Unicode)."
        return JSONResponse({"detail": detail}, 400)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": f"Internal error ({exc.__class__.__name__})"}, 500)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {})
        schemes = components.setdefault("securitySchemes", {})
        schemes[SCHEME_NAME] = SECURITY_SCHEME
        schemes[QUERY_SCHEME_NAME] = QUERY_SECURITY_SCHEME
        components.setdefault("schemas", {}).setdefault(
            "ErrorResponse",
            {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            },
        )
        app.openapi_schema = schema
    return app.openapi_schema


DOCS_ASSETS = "/docs-assets"


def _install_docs(app: FastAPI) -> None:
    """/docs and /redoc with their scripts served from here (fastapi-offline's bundle)."""
    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=static), name="docs-assets")
    page: dict[str, Any] = {"openapi_url": "/openapi.json", "title": f"{app.title} - API"}
    icon = f"{DOCS_ASSETS}/favicon.png"

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        css, js = f"{DOCS_ASSETS}/swagger-ui.css", f"{DOCS_ASSETS}/swagger-ui-bundle.js"
        redirect = "/docs/oauth2-redirect"
        assets: dict[str, Any] = {
            "swagger_js_url": js,
            "swagger_css_url": css,
            "swagger_favicon_url": icon,
        }
        return get_swagger_ui_html(**page, **assets, oauth2_redirect_url=redirect)

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        js = f"{DOCS_ASSETS}/redoc.standalone.js"
        return get_redoc_html(
            **page, redoc_js_url=js, redoc_favicon_url=icon, with_google_fonts=False
        )


def _mask_keys_in_access_log() -> None:
    """uvicorn logs each request's full path: a key sent as ``api_key`` must not be in it."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, QueryKeyFilter) for f in access.filters):
        access.addFilter(QueryKeyFilter())


def _sentence(text: str) -> str:
    """A service error's message as an API detail: a sentence (capital first letter)."""
    return text[:1].upper() + text[1:]


def create_app(
    settings: ApiSettings | None = None,
    store: Store | None = None,
    holder: IndexHolder | None = None,
) -> FastAPI:
    """The application over a store (opened from ``settings.db`` unless given)."""
    settings = settings or ApiSettings()
    store = store or Store.open(settings.db)
    holder = holder or IndexHolder(
        store, poll_seconds=settings.poll_seconds, warm_taggers=settings.warm_taggers
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder.start()
        try:
            yield
        finally:
            holder.stop()

    app = FastAPI(
        title="sanctions",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.holder = holder
    app.state.guard = Guard(settings, KeyStore(store.engine))
    app.state.update = {}
    app.state.update_lock = threading.Lock()
    routers = (unsupported.router, match.router, data.router, system.router, watch.router)
    for router in (*routers, payments.router, reconciliation.router):
        app.include_router(router)
    install_web(app)  # the analysts' pages under /ui/ (same store, keys and roles)
    _mask_keys_in_access_log()
    _install_error_handlers(app)
    _install_docs(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeadMiddleware)
    return app


def create_app_from_env() -> FastAPI:
    """The application as ``sanctions serve`` configures it (for uvicorn's workers)."""
    return create_app(ApiSettings.from_env())
