"""A small index of hand-written people, and its results beside a naive scan (for tests)."""

from __future__ import annotations

from sanctions.matching import MatchIndex, compare_records, prepare_records
from sanctions.matching.score import Record
from sanctions.model import Entity
from sanctions.screening import Screener, parse_query


def people_index(specs: list[list[str]]) -> tuple[list[Record], Screener]:
    """One listed person per spec: its first name primary, the others aliases."""
    entities = []
    for i, names in enumerate(specs):
        entity = Entity.create("test", f"e{i}", "Person")
        for j, text in enumerate(names):
            entity.add_name(text, "primary" if j == 0 else "alias")
        entities.append(entity)
    records = prepare_records(entities)
    return records, Screener(index=MatchIndex(records))


def fast_and_naive(
    records: list[Record], screener: Screener, text: str, cutoff: float = 0.3
) -> tuple[dict[str, float], dict[str, float]]:
    """Scores of a person query through the index and by comparing every record."""
    query = {"schema": "Person", "properties": {"name": [text]}}
    fast = {m.record.id: m.score.score for m in screener.screen(query, cutoff=cutoff).results}
    record = parse_query(query)
    table = screener.index.frequencies  # the index's own table, not the process's active one
    naive = {
        c.id: s
        for c in records
        if (s := compare_records(record, c, frequencies=table).score) >= cutoff
    }
    return fast, naive
