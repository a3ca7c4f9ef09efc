"""A report's schema filter follows the model's hierarchy (one vocabulary)."""

from __future__ import annotations

import pytest

from sanctions.coordination.reports import _Row, resolve_scope


def _row(cluster: str, schema: str) -> _Row:
    return _Row(
        f"x-{cluster}-{schema}", cluster, "x", schema, cluster, "[]", frozenset(), None, None
    )


ROWS = [
    _row("legal", "LegalEntity"),  # CSL/BIS: "an entity", neither person nor organization
    _row("company", "Company"),
    _row("body", "PublicBody"),
    _row("org", "Organization"),
    _row("person", "Person"),
    _row("mixed", "LegalEntity"),
    _row("mixed", "Organization"),  # linked to an Organization elsewhere: it is one
    _row("ship", "Vessel"),
]


@pytest.mark.parametrize(
    ("schema", "clusters"),
    [
        ("Organization", {"company", "body", "org", "mixed"}),  # not "legal" (was included)
        ("Company", {"company"}),  # neither Organization nor LegalEntity (were included)
        ("Person", {"person"}),
        ("LegalEntity", {"legal", "company", "body", "org", "person", "mixed"}),
        ("Vessel", {"ship"}),
        (None, {"legal", "company", "body", "org", "person", "mixed", "ship"}),
    ],
)
def test_report_schema_takes_the_schema_and_those_below(schema: str | None, clusters: set) -> None:
    assert set(resolve_scope(ROWS, None, schema)) == clusters
