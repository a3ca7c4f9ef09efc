"""The delta prefilter takes its bound from the matcher: it keeps every pair a full run alerts on.

A delta run screens an unchanged watched record against new list entries only
when the prefilter (:class:`RecordKeys`) keeps it. The prefilter asks the
matcher (:func:`sanctions.matching.name_floor`, :class:`sanctions.matching.NameBound`)
how high a record's names could score, so a change of the matcher's weights
moves it too. Checked on real list names (UN consolidated list; SDN additions),
perturbed as customers write them, and with monkeypatched weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sanctions.matching.score as score
from sanctions.matching import MatchIndex, name_floor, name_tokens, prepare_records
from sanctions.model import Entity, NameKind
from sanctions.screening import Screener, parse_query
from sanctions.watch.prefilter import RecordKeys

from .customers import negative_records, parse_list, vary_name

UN_FILE = Path("un") / "consolidated_2026-02-27.xml"


def _named(entities: dict[str, Entity]) -> list[Entity]:
    return [e for _, e in sorted(entities.items()) if e.names]


def _customer_name(name: str, variant: int) -> str:
    """A listed name as a customer file may hold it: as listed, reordered, misspelt, an initial."""
    if variant == 5:
        tokens = name.replace(",", " ").split()
        return " ".join([tokens[0][0] + ".", *tokens[1:]]) if len(tokens) > 1 else name
    if variant == 6:  # one word dropped
        tokens = name.replace(",", " ").split()
        return " ".join(tokens[:-1]) if len(tokens) > 2 else name
    return vary_name(name, variant)


def _prefilter_keeps_every_alert(
    new: list[Entity], customers: list[dict[str, Any]], threshold: float
) -> tuple[set[str], set[str]]:
    """(records the full path alerts on against ``new``, records the prefilter keeps)."""
    records = prepare_records(new)
    small = MatchIndex(records)
    queries = [parse_query(c) for c in customers]
    keys = RecordKeys((q.id, "h", q) for q in queries)
    tokens = set().union(*(name_tokens(r) for r in records))
    idents = {i for r in records for i in r.identifiers}
    names = [form for r in records for form in r.names]
    kept = {r for r, _ in keys.touched_by(tokens, idents, name_floor(threshold), names)}
    screener = Screener(index=small, threshold=threshold)
    alerted = {q.id for q in queries if screener.screen(q, limit=50, cutoff=threshold).results}
    return alerted, kept


@pytest.fixture(scope="module")
def un_entities(shared_data: Path) -> list[Entity]:
    return _named(parse_list(shared_data / UN_FILE))


@pytest.fixture(scope="module")
def ordinary_people(shared_data: Path) -> list[dict[str, str]]:
    return negative_records(shared_data, 400)


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    picks=st.lists(st.integers(0, 10**6), min_size=3, max_size=12, unique=True),
    variants=st.lists(st.integers(0, 6), min_size=12, max_size=12),
    threshold=st.sampled_from([0.6, 0.7, 0.8, 0.9, 0.97]),
)
def test_every_pair_the_full_path_alerts_on_passes_the_prefilter(
    un_entities: list[Entity],
    ordinary_people: list[dict[str, str]],
    picks: list[int],
    variants: list[int],
    threshold: float,
) -> None:
    chosen = [un_entities[p % len(un_entities)] for p in picks]
    new, listed_as_customers = chosen[: len(chosen) // 2 + 1], chosen
    customers: list[dict[str, Any]] = []
    for n, entity in enumerate(listed_as_customers):
        for alias, variant in zip(entity.names[:2], variants[n::4], strict=False):
            props = {"name": [_customer_name(alias.name, variant)]}
            if entity.get("birthDate") and variant % 2:
                props["birthDate"] = [entity.first("birthDate")]
            customers.append(
                {"id": f"c{len(customers)}", "schema": entity.schema, "properties": props}
            )
    for person in ordinary_people[picks[0] % 300 :][:40]:
        customers.append(
            {"id": person["id"], "schema": "Person", "properties": {"name": [person["name"]]}}
        )
    alerted, kept = _prefilter_keeps_every_alert(new, customers, threshold)
    assert alerted <= kept, sorted(alerted - kept)


def _person(entity_id: str, name: str, country: str) -> Entity:
    entity = Entity.create("un_sc_sanctions", entity_id, "Person")
    entity.add_name(name, NameKind.PRIMARY)
    entity.add("nationality", country)
    return entity


def test_prefilter_follows_a_change_of_the_matchers_weights(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Country evidence worth +0.30: a weaker name agreement now alerts, and the prefilter keeps it."""
    listed = _person("X1", "Ivan Petrovich SIDOROV", "RU")
    threshold = 0.7
    floor_before = name_floor(threshold)
    monkeypatch.setattr(score, "COUNTRY_MATCH", 0.30)
    assert name_floor(threshold) == pytest.approx(floor_before - 0.27)
    # A customer whose name agrees less than the old floor but enough to be confirmed.
    queries = ["Ivan Petrovich Kuznetsov", "Ivan Petrovich Smirnov", "Sidorov", "I. Sidorov"]
    record = prepare_records([listed])[0]
    weak = []
    for text in queries:
        query = parse_query({"schema": "Person", "properties": {"name": [text]}})
        name_score = score.compare_records(query, record).features[0].contribution
        if score.CONFIRM_FLOOR <= name_score < floor_before:
            weak.append(text)
    assert weak, "no customer name between the confirm floor and the old name floor"
    customers = [
        {"id": f"c{i}", "schema": "Person", "properties": {"name": [t], "nationality": ["Russia"]}}
        for i, t in enumerate(weak)
    ]
    alerted, kept = _prefilter_keeps_every_alert([listed], customers, threshold)
    assert alerted == {c["id"] for c in customers}  # the new weight makes them alert
    assert alerted <= kept
    # A floor copied from the matcher before the change would have dropped some of them.
    queries_ = [parse_query(c) for c in customers]
    keys = RecordKeys((q.id, "h", q) for q in queries_)
    names = list(record.names)
    old = {r for r, _ in keys.touched_by(name_tokens(record), (), floor_before, names)}
    assert alerted - old
