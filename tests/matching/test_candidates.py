"""Candidates kept as arrays (:class:`sanctions.matching.candidates.CandidateSet`): the same
candidates, in the same order, as one :class:`Candidate` per record; small fixtures."""

from __future__ import annotations

from sanctions.matching import MatchIndex, prepare_records, search
from sanctions.matching.finder import score_every_candidate
from sanctions.model import Entity, Listing
from sanctions.screening import parse_query


def _entity(eid: str, schema: str, name: str, passport: str = "") -> Entity:
    entity = Entity(id=eid, schema=schema, listing=Listing("fixture", eid))
    entity.add_name(name)
    if passport:
        entity.add("passportNumber", passport)
    return entity


def _index() -> MatchIndex:
    return MatchIndex(
        prepare_records(
            [
                _entity("p1", "Person", "Ivan Petrov", passport="AB1234567"),
                _entity("p2", "Person", "Ivan Petrovich Petrov"),
                _entity("c1", "Company", "Petrov Trading LLC"),
                _entity("p3", "Person", "Olga Smirnova", passport="ZZ7654321"),
                _entity("p4", "Person", "Petr Ivanov"),
            ]
        )
    )


def _query(passport: str = "") -> dict[str, object]:
    properties: dict[str, list[str]] = {"name": ["Ivan Petrov"]}
    if passport:
        properties["passportNumber"] = [passport]
    return {"schema": "Person", "properties": properties}


def test_a_company_is_no_candidate_for_a_person_and_names_keep_their_bounds() -> None:
    index = _index()
    query = parse_query(_query())
    found = index.candidate_set(query, 0.3)
    candidates = found.all()
    ids = [c.record.id for c in candidates]
    assert "c1" not in ids and ids[:2] == ["p1", "p2"]
    assert len(found) == len(candidates)
    for cand in candidates:
        assert cand.name_ids and len(cand.name_ids) == len(cand.names) == len(cand.name_bounds)
        assert [index.names[i] for i in cand.name_ids] == cand.names
        assert cand.bound == max(cand.name_bounds)
    assert found.bounds() == [c.bound for c in candidates]


def test_a_record_found_by_an_identifier_keeps_its_place_with_every_name_and_bound_one() -> None:
    index = _index()
    by_name = [c.record.id for c in index.candidates(parse_query(_query()), 0.3)]
    found = index.candidate_set(parse_query(_query("AB1234567")), 0.3)
    candidates = found.all()
    assert [c.record.id for c in candidates] == by_name  # p1 stays where its names put it
    p1 = candidates[by_name.index("p1")]
    assert (p1.bound, p1.name_ids, p1.name_bounds) == (1.0, [], [])
    assert p1.names == p1.record.names
    assert found.named[by_name.index("p1")] is False
    # A record found only by its identifier comes after those found by their names.
    other = index.candidate_set(parse_query(_query("ZZ7654321")), 0.3)
    assert [other.record(i).id for i in range(len(other))] == [*by_name, "p3"]
    assert other.named[-1] is False and other.bounds()[-1] == 1.0


def test_search_over_the_arrays_equals_scoring_every_candidate() -> None:
    index = _index()
    for passport in ("", "AB1234567", "ZZ7654321"):
        for cutoff in (None, 0.0, 0.5):
            query = parse_query(_query(passport))
            fast = search(index, query, limit=2, cutoff=cutoff)
            with score_every_candidate():
                every = search(index, query, limit=2, cutoff=cutoff)
            assert [(h.record.id, h.score.score) for h in fast] == [
                (h.record.id, h.score.score) for h in every
            ]
