"""yente routes this server does not implement: a clear JSON answer, never a bare 404.

Older yente clients call ``/entities/{id}/adjacent`` and ``/statements`` (the
OpenRefine ``/reconcile/{dataset}`` API is served: routes/reconciliation.py). Each answers 404 (as yente itself does where it
lacks a backend, so clients that handle "not found" keep working; a 5xx would
read as a server fault) with a ``detail`` that names the route and what to use
instead, so a client fails with a message a person can act on.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()

UNSUPPORTED = {
    "adjacent": "entities are served whole by GET /entities/{id} (related entities are not "
    "linked in the official lists)",
    "statements": "statement-level data is a property of OpenSanctions' data model; use "
    "GET /entities/{id} (with its change history) instead",
}


def _answer(request: Request, kind: str) -> JSONResponse:
    detail = (
        f"Not supported by this server: {request.method} {request.url.path} (a yente route): "
        f"{UNSUPPORTED[kind]}. See /openapi.json for the routes it answers."
    )
    return JSONResponse({"detail": detail, "unsupported": kind}, 404)


@router.get("/entities/{entity_id}/adjacent", include_in_schema=False)
@router.get("/entities/{entity_id}/adjacent/{prop}", include_in_schema=False)
async def adjacent(request: Request) -> JSONResponse:
    return _answer(request, "adjacent")


@router.get("/statements", include_in_schema=False)
async def statements(request: Request) -> JSONResponse:
    return _answer(request, "statements")
