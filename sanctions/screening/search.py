"""Search the lists by name or identifier (``/search`` and ``sanctions search``).

The text is screened as a name and, when it holds an identifier, as every
identifier type it is valid as (see :func:`identifier_properties`): ``9187629``
finds the vessel of that IMO number whatever its name, ``QDi.001`` the UN entry,
``HAVIGB2L`` the bank of that BIC. A hit is kept when its score reaches the
cutoff or when it shares an identifier with the text (a passport number alone
is shown even though, without a nationality, it is not a match).
"""

from __future__ import annotations

from typing import Any

from sanctions.matching import IDENTIFIER_MATCH, Scope, identifier_properties

from .query import parse_query

__all__ = ["SEARCH_CUTOFF", "search_hits", "search_query"]

SEARCH_CUTOFF = 0.5


def search_query(text: str, schema: str | None = None) -> dict[str, Any]:
    """The screening query of a search text: its name, and its identifiers if any."""
    props: dict[str, list[str]] = {"name": [text]}
    props.update(identifier_properties(text))
    return {"schema": schema or "Thing", "properties": props}


def search_hits(
    screener: Any,
    text: str,
    schema: str | None = None,
    limit: int = 500,
    scope: Scope | None = None,
) -> list[tuple[Any, float]]:
    """(record, score) of the entities in ``scope`` found by ``text``, best first.

    Raises :class:`~sanctions.screening.QueryError` when nothing in ``text`` is searchable.
    """
    record = parse_query(search_query(text, schema))
    cutoff = min(SEARCH_CUTOFF, IDENTIFIER_MATCH) if record.identifiers else SEARCH_CUTOFF
    result = screener.screen(record, limit=limit, cutoff=cutoff, scope=scope)
    hits = []
    for match in result.results:
        shared = bool(match.record.identifiers & record.identifiers)
        if match.score.score >= SEARCH_CUTOFF or shared:
            hits.append((match.record, match.score.score))
    return hits
