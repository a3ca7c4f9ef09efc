"""Web pages for analysts, served by ``sanctions serve`` under ``/ui/``.

Server-rendered HTML (Jinja2, autoescaped), one hand-written stylesheet and one
small script (no inline script: the Content-Security-Policy forbids it). Every
page has a JSON twin (``?format=json``) built from the same view data. Sign-in
opens a server-side session with an API key (:mod:`.sessions`); roles are the
API's (:mod:`.security`). Modules: one per page type in :mod:`.pages`.

    from sanctions.web import install_web
    install_web(app)     # done by sanctions.api.create_app
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from .jobs import JobStore
from .pages import alerts, audit, auth, coordination, entity, lists, screen
from .render import env, wants_json
from .security import SecurityHeaders, SignInRequired, WebError
from .sessions import SessionStore

__all__ = ["install_web", "WebError"]

STATIC = Path(__file__).parent / "static"


def error_response(request: Request, exc: WebError) -> Response:
    """A helpful error page (or ``{"detail"}`` for a JSON twin)."""
    if wants_json(request) or not request.url.path.startswith("/ui"):
        return JSONResponse({"detail": exc.detail}, exc.status)
    viewer = getattr(request.state, "viewer", None)
    html = env.get_template("error.html").render(
        status=exc.status, title=exc.title, detail=exc.detail, viewer=viewer, nav=[]
    )
    return Response(html, exc.status, media_type="text/html")


def install_web(app: FastAPI) -> None:
    """Mount the pages, their static files, error pages and security headers on ``app``."""
    store = app.state.store
    app.state.web_sessions = SessionStore(store.engine)
    app.state.web_jobs = JobStore.from_env()
    app.state.web_tasks = set()
    for module in (auth, screen, entity, lists, alerts, audit, coordination):
        app.include_router(module.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")

    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        if wants_json(request):
            detail = "Sign in at /ui/login, or send 'Authorization: ApiKey <key>'."
            return JSONResponse({"detail": detail}, 401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":  # a form sent after the session ended: start over
            target = "/ui/"
        return RedirectResponse(auth.login_url(target), 303)

    @app.api_route("/ui/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
    async def no_such_page(request: Request, rest: str) -> Response:
        raise WebError(404, f"No such page: {request.url.path}. Start from /ui/.")

    app.add_middleware(SecurityHeaders)
