"""``POST /screen/payment`` and ``POST /screen/text``: payment messages and documents.

Same keys, roles (``screen``, ``admin``), rate limits and time budget as ``/match``.
The screening runs on the index snapshot being served, under the payment policy of
``SANCTIONS_API_PAYMENT_POLICY`` (by default ``sanctions/payments/data/policy.yml``)
and the good-guy list it names; every held message, and every message where a
good-guy entry cleared a finding, is written to the audit log with the calling key
as the actor.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from sanctions.errors import ConfigError
from sanctions.payments import (
    PaymentError,
    PaymentScreener,
    audit_results,
    entity_hashes,
    load_policy,
    parse_message,
)

from ..auth import GuardedRoute, guarded, request_actor
from ..holder import Snapshot
from ..models import ErrorResponse
from .common import require_snapshot

router = APIRouter(route_class=GuardedRoute)

MAX_MESSAGE_CHARS = 1_000_000
MAX_TEXT_CHARS = 1_000_000
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "No message, or too many"},
    422: {"model": ErrorResponse, "description": "A message that cannot be parsed"},
    503: {"model": ErrorResponse, "description": "Index not ready, or the policy unusable"},
}


class PaymentQuery(BaseModel):
    """One message (``message``) or a batch (``messages``): SWIFT MT or ISO 20022 XML text."""

    message: str | None = Field(default=None, max_length=MAX_MESSAGE_CHARS)
    messages: list[str] = Field(default_factory=list)


class TextQuery(BaseModel):
    text: str = Field(max_length=MAX_TEXT_CHARS)


def _payments(request: Request, snapshot: Snapshot) -> PaymentScreener:
    """One payment screener per served snapshot (its BIC table and name gazetteer reused),
    under the policy of ``SANCTIONS_API_PAYMENT_POLICY`` and its good-guy list, read
    again with each new snapshot and whenever either file changes (a revoked or shortened
    good-guy entry stops clearing at the next request, not at the next list update). A
    policy or list that cannot be read screens nothing (503), never under other rules."""
    cached = getattr(request.app.state, "payments", None)
    policy_path = request.app.state.settings.payment_policy
    if cached is not None and cached[0] == snapshot.generation:
        screener: PaymentScreener = cached[1]
        if cached[2] == _stamps(policy_path, screener.policy.good_guys):
            return screener
    versions = {
        d: {"seq": v.seq, "hash": v.content_hash[:16], "loaded": v.loaded_at}
        for d, v in snapshot.versions.items()
    }
    try:
        policy = load_policy(policy_path)
        hashes = entity_hashes(request.app.state.store, [v.id for v in snapshot.versions.values()])
        payments = PaymentScreener(
            snapshot.screener, policy=policy, versions=versions, entity_hashes=hashes
        )
    except (ConfigError, OSError) as exc:
        raise HTTPException(503, detail=f"the payment policy cannot be used: {exc}") from exc
    stamps = _stamps(policy_path, policy.good_guys)
    request.app.state.payments = (snapshot.generation, payments, stamps)
    return payments


def _stamps(*paths: Any) -> tuple[tuple[int, int] | None, ...]:
    """Modification time and size of each file (None: no file named, or none there)."""
    stamps: list[tuple[int, int] | None] = []
    for path in paths:
        try:
            stat = os.stat(path) if path else None
        except OSError:
            stat = None
        stamps.append((stat.st_mtime_ns, stat.st_size) if stat else None)
    return tuple(stamps)


async def _screener(request: Request, work: int) -> tuple[Snapshot, PaymentScreener]:
    """Charge ``work`` to the caller's rate limit, then the payment screener of the
    snapshot being served (both routes start so)."""
    await request.app.state.guard.charge(request, work)
    holder = request.app.state.holder
    snapshot = require_snapshot(holder)
    return snapshot, await holder.run(_payments, request, snapshot)


def _messages(body: PaymentQuery, max_batch: int) -> list[str]:
    texts = ([body.message] if body.message is not None else []) + list(body.messages)
    if not texts:
        raise HTTPException(400, detail="No message provided ('message' or 'messages').")
    if len(texts) > max_batch:
        raise HTTPException(400, detail=f"Too many messages: {len(texts)} (limit: {max_batch})")
    for n, text in enumerate(texts):
        if len(text) > MAX_MESSAGE_CHARS:
            raise HTTPException(400, detail=f"message {n}: over {MAX_MESSAGE_CHARS:,} characters")
    return texts


@router.post(
    "/screen/payment",
    summary="Screen SWIFT MT / ISO 20022 payment messages: pass, review or hold",
    description="Each message (MT103, MT202, MT202 COV, pacs.008, pacs.009, pain.001) gets "
    "a decision with its findings (field paths, scores, explanations), the list versions "
    "and a fingerprint. A single `message` that cannot be parsed is a 422 naming the "
    "field; in a `messages` batch it is held, with its `error`, and the others are "
    "screened. Held messages, and messages where a good-guy entry cleared a finding, are "
    "written to the audit log. See docs/payments.md.",
    tags=["Payments"],
    responses=ERRORS,
    openapi_extra=guarded("screen", "admin"),
)
async def screen_payment(request: Request, body: PaymentQuery) -> JSONResponse:
    texts = _messages(body, request.app.state.settings.max_batch)
    parsed: list[Any] = []
    for n, text in enumerate(texts):
        source = "message" if body.message is not None and n == 0 else f"messages[{n}]"
        try:
            parsed.append(parse_message(text, source))
        except PaymentError as exc:
            if body.message is not None and len(texts) == 1:
                raise HTTPException(422, detail=str(exc)) from exc
            parsed.append(exc)
    work = sum(len(getattr(p, "values", ())) or 1 for p in parsed)
    snapshot, payments = await _screener(request, work)
    holder = request.app.state.holder
    results = await holder.run(lambda: [payments.screen(p) for p in parsed])
    audited = [r for r in results if r.audited]
    if audited:
        actor = request_actor(request)
        await run_in_threadpool(audit_results, request.app.state.store, audited, actor)
    content = {"results": [r.to_dict() for r in results]}
    return JSONResponse(content, headers={"x-index-generation": str(snapshot.generation)})


@router.post(
    "/screen/text",
    summary="Find listed subjects named in a text",
    description="The spans of `text` (an article, a contract, an invoice) that name a "
    "listed subject, with the listed entity, the score and why. Ordinary words and "
    "people who are not listed raise nothing.",
    tags=["Payments"],
    responses=ERRORS,
    openapi_extra=guarded("screen", "admin"),
)
async def screen_text(request: Request, body: TextQuery) -> JSONResponse:
    snapshot, payments = await _screener(request, max(1, len(body.text) // 1000))
    mentions = await request.app.state.holder.run(payments.find_names, body.text)
    content = {"mentions": [m.to_dict() for m in mentions], "versions": payments.versions()}
    return JSONResponse(content, headers={"x-index-generation": str(snapshot.generation)})
