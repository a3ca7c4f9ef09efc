"""Screening one name of a message: under the schemata its field and its words say.

A party whose type the message does not give is screened as LegalEntity (a span of
free text as Thing); when its name carries a legal form (``JOSAFAT S.A.``, ``ALFA
ONE C.A.``, ``... LLC``) it is also screened as an Organization, because the matcher
reads an untyped name with a legal form as a person's and misses the listed company
of that very name. Added, never instead: a person's name may hold a word that reads
as a legal form (``KIM SA``), and screening it as a person too keeps that match.
"""

from __future__ import annotations

from typing import Any

from rigour.names.org_types import extract_org_types

from sanctions.screening import QueryError, Screener

__all__ = ["MAX_CACHED_NAMES", "NameCache", "has_legal_form", "name_schemata", "screen_name"]

NameCache = dict[tuple[str, str], "list[Any] | QueryError"]
MAX_CACHED_NAMES = 100_000


def has_legal_form(name: str) -> bool:
    """Whether a name carries a legal form (``S.A.``, ``LLC``, ``GmbH``...): it names an
    organisation, whatever the message's field says (rigour's table of legal forms)."""
    # rigour reads "S.A." but not "C.A.": try the dotless form too ("C.A." -> "CA")
    return bool(extract_org_types(name) or extract_org_types(name.replace(".", "")))


def name_schemata(text: str, schema: str) -> tuple[str, ...]:
    """The schemata a name is screened as: its field's, and also Organization when an
    untyped name (LegalEntity, Thing) carries a legal form. Added, never instead: a
    person's name may hold a word that reads as a legal form ("KIM SA")."""
    if schema in ("LegalEntity", "Thing") and has_legal_form(text):
        return (schema, "Organization")
    return (schema,)


def screen_name(
    screener: Screener,
    text: str,
    schema: str,
    limits: tuple[float, float, int],
    cache: NameCache | None = None,
) -> list[Any]:
    """The matches of one name (``limits``: threshold, cutoff, limit) under each of its
    :func:`name_schemata`, best per listed entity first; raises QueryError when it
    cannot be screened. ``cache`` keeps results across calls (same lists)."""
    cache = {} if cache is None else cache
    if len(cache) > MAX_CACHED_NAMES:
        cache.clear()
    threshold, cutoff, limit = limits
    best: dict[str, Any] = {}
    for kind in name_schemata(text, schema):
        key = (text, kind)
        if key not in cache:
            query = {"id": "name", "schema": kind, "properties": {"name": [text]}}
            try:
                cache[key] = screener.screen(
                    query, threshold=threshold, limit=limit, cutoff=cutoff
                ).results
            except QueryError as exc:
                cache[key] = exc
        found = cache[key]
        if isinstance(found, QueryError):
            raise found
        for match in found:
            held = best.get(match.record.id)
            if held is None or match.score.score > held.score.score:
                best[match.record.id] = match
    ranked = sorted(best.values(), key=lambda m: (-m.score.score, m.record.id))
    return ranked[:limit]
