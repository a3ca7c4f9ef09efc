"""FtM export (issue 17, finding 9): complete, OpenSanctions-shaped, and lossless.

An entity exported with :func:`export_entity` and read back by the FtM parser is
the same entity: names with their kinds, scripts and parts, dates with precision,
circa and ranges, and the listing (authority id, programmes, listing date,
lists with dates, sanction types, legal authorities).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sanctions.cli import main
from sanctions.model import Entity, FuzzyDate, ListMembership, NameKind
from sanctions.sources import detect_format, discover_paths, ftm, parse_path

from ..conftest import SHARED_DATA, real_list_paths


def comparable(entity: Entity) -> dict[str, Any]:
    """What must survive the round trip: everything but where it was read from."""
    data = entity.to_dict()
    data["listing"]["source_file"] = None
    data["listing"]["dataset_version"] = None
    return data


def round_trip(entities: list[Entity], tmp_path: Path, name: str = "export") -> list[Entity]:
    path = tmp_path / f"{name}.ftm.json"
    with open(path, "w", encoding="utf-8") as out:
        for entity in entities:
            for obj in ftm.export_entity(entity):
                out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    assert detect_format(path).name == "ftm"
    dataset = entities[0].listing.dataset if entities else None
    return list(ftm.parse(path, dataset=dataset))


def assert_same(before: list[Entity], after: list[Entity]) -> None:
    assert sorted(e.id for e in after) == sorted(e.id for e in before)
    olds = {e.id: e for e in before}
    for new in after:
        assert comparable(new) == comparable(olds[new.id]), new.id


def hand_made() -> Entity:
    entity = Entity.create("un_sc_sanctions", "QDi.999", "Person", source_file="x.xml")
    entity.add_name("IVAN FICTIONAL", NameKind.PRIMARY, firstName="IVAN", lastName="FICTIONAL")
    entity.add_name("Иван Фиктивный", NameKind.ORIGINAL, lang="rus", script="Cyrillic")
    entity.add_name("OLD FICTIONAL", NameKind.PREVIOUS)
    entity.add_date(FuzzyDate("1955", circa=True, end="1958"))
    entity.add_date(FuzzyDate("1961-04"))
    entity.add("nationality", "ru")
    entity.listing.programs = ["Al-Qaida"]
    entity.listing.listed_on = "2001-01-25"
    entity.listing.lists = [ListMembership("SDN List", "2022-02-24")]
    entity.listing.provisions = ["Block"]
    entity.listing.legal_basis = ["Executive Order 14024 (Russia)"]
    return entity


def test_export_is_opensanctions_shaped() -> None:
    lines = ftm.export_entity(hand_made())
    person, sanction, on_list = lines
    assert person["schema"] == "Person" and person["datasets"] == ["un_sc_sanctions"]
    assert person["properties"]["birthDate"] == ["1955", "1958", "1961-04"]  # ISO prefixes
    assert {"names", "dates"} == set(person["detail"])
    assert sanction["schema"] == "Sanction" and sanction["id"] == person["id"] + "-sanction"
    assert sanction["properties"] == {
        "entity": [person["id"]],
        "authority": ["UN Security Council Consolidated List"],
        "authorityId": ["QDi.999"],
        "program": ["Al-Qaida"],
        "listingDate": ["2001-01-25"],
        "provisions": ["Block"],
        "reason": ["Executive Order 14024 (Russia)"],
    }
    assert on_list["properties"]["description"] == ["SDN List"]
    assert on_list["properties"]["startDate"] == ["2022-02-24"]


def test_round_trip_keeps_circa_ranges_kinds_scripts_and_listing(tmp_path: Path) -> None:
    assert_same([hand_made()], round_trip([hand_made()], tmp_path))


def test_other_publishers_sanction_after_its_entity_is_folded(tmp_path: Path) -> None:
    path = tmp_path / "os.ftm.json"
    lines = [
        {"id": "os-1", "schema": "Person", "properties": {"name": ["A FICTIONAL"]}},
        {
            "id": "os-1-s",
            "schema": "Sanction",
            "properties": {"entity": ["os-1"], "program": ["X"], "listingDate": ["2020-05"]},
        },
        {"id": "os-2", "schema": "Ownership", "properties": {"owner": ["os-1"]}},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    first, second = ftm.parse(path)
    assert first.listing.programs == ["X"] and first.listing.listed_on == "2020-05"
    assert second.schema == "Ownership"


def test_cli_export_reimports_to_the_same_entities(tmp_path: Path, fixtures: Path) -> None:
    db = str(tmp_path / "x.db")
    runner = CliRunner()
    source = fixtures / "un" / "consolidated_small.xml"
    assert runner.invoke(main, ["--db", db, "load", str(source)]).exit_code == 0
    out = tmp_path / "export.ftm.json"
    result = runner.invoke(main, ["--db", db, "export", "--format", "ftm", "-o", str(out)])
    assert result.exit_code == 0, result.output
    schemas = [json.loads(line)["schema"] for line in out.read_text().splitlines()]
    assert schemas.count("Sanction") == 4 and len(schemas) == 8
    before = list(parse_path(source))
    assert_same(before, list(ftm.parse(out, dataset="un_sc_sanctions")))


def _real_lists() -> list[str]:
    """Every list file or file set in shared/data (none when the folder is absent)."""
    if not SHARED_DATA.is_dir():
        return []
    return [p.relative_to(SHARED_DATA).as_posix() for p in discover_paths(SHARED_DATA)]


@pytest.mark.slow
@pytest.mark.parametrize("relative", _real_lists())
def test_real_list_round_trip(shared_data: Path, tmp_path: Path, relative: str) -> None:
    before = list(parse_path(shared_data / relative))
    assert before
    assert_same(before, round_trip(before, tmp_path))


def test_every_real_list_is_in_the_round_trip(shared_data: Path) -> None:
    assert len(_real_lists()) >= 20
    assert {p.relative_to(shared_data).as_posix() for p in real_list_paths(shared_data)} <= set(
        _real_lists()
    )
