"""Start-up: a cached index carries its vocabulary's rigour symbols, so a process that
loads it screens listed names without building rigour's person-name tagger."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

import sanctions.matching.normalise as normalise
from sanctions.matching import MatchIndex, prepare_records, search
from sanctions.model import Entity, NameKind
from sanctions.screening import parse_query


def _entity(entity_id: str, name: str, alias: str) -> Entity:
    entity = Entity.create("us_ofac_sdn", entity_id, "Person")
    entity.add_name(name, NameKind.PRIMARY)
    entity.add_name(alias, NameKind.ALIAS)
    return entity


def _results(index: MatchIndex, name: str) -> list[tuple[str, float, Any]]:
    query = parse_query({"schema": "Person", "properties": {"name": [name]}})
    return [
        (h.record.id, h.score.score, [f.to_dict() for f in h.score.features])
        for h in search(index, query, limit=5)
    ]


def test_loaded_index_screens_listed_tokens_without_rigour_taggers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entities = [
        _entity("1", "William Henry SMITHERS", "Bill Smithers"),
        _entity("2", "Mohammed Abdul RAHMAN", "Muhammad Abdulrahman"),
    ]
    index = MatchIndex(prepare_records(entities))
    queries = ["Smithers William", "Bill Smithers", "Mohammed Rahman"]
    before = {q: _results(index, q) for q in queries}
    payload = pickle.dumps(index)
    # A fresh process: nothing known, every cache empty, and no tagger to call.
    monkeypatch.setattr(normalise, "_KNOWN_SYMBOLS", {})
    normalise.name_symbols.cache_clear()

    def no_tagger(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("rigour's tagger was needed")

    loaded = pickle.loads(payload)
    monkeypatch.setattr(normalise, "analyze_names", no_tagger)
    assert {q: _results(loaded, q) for q in queries} == before
    assert before["Bill Smithers"][0][0] == "us_ofac_sdn-1"
    normalise.name_symbols.cache_clear()
