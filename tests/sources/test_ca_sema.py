"""Canada SEMA list: real old-format XML, current-format sample and CSV fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctions.errors import FormatError
from sanctions.model import NameKind
from sanctions.sources import ca_sema, detect_format

SAMPLES = Path(__file__).resolve().parents[2] / "sanctions" / "data" / "samples"
OLD = "ca/sema/sema-lmes_2020-04.xml"


@pytest.fixture(scope="module")
def old_list(shared_data: Path) -> dict:
    return {e.listing.authority_id: e for e in ca_sema.parse(shared_data / OLD)}


def _names(entity, kind):
    return [n.name for n in entity.names if n.kind == kind]


def test_old_format_has_1369_records_with_unique_ids(shared_data: Path, old_list: dict) -> None:
    assert detect_format(shared_data / OLD).name == "ca_sema"
    assert len(old_list) == 1369
    assert sum(1 for e in old_list.values() if e.schema == "Person") == 985


def test_old_format_entity_with_comma_aliases(old_list: dict) -> None:
    # <Country>Burma / Birmanie</Country><Entity>Htoo Furniture</Entity><Aliases>Htoo Wood,
    # Htoo Wood Products, Htoo Wood Products Pte. Limited, Htoo Wood-Based Industry</Aliases>
    # <Schedule>1</Schedule><Item>7</Item>
    entity = old_list["burma-1-7"]
    assert entity.schema == "Organization"
    assert _names(entity, NameKind.PRIMARY) == ["Htoo Furniture"]
    assert _names(entity, NameKind.ALIAS) == [
        "Htoo Wood",
        "Htoo Wood Products",
        "Htoo Wood Products Pte. Limited",
        "Htoo Wood-Based Industry",
    ]
    assert entity.listing.programs == ["Burma / Birmanie"]
    assert entity.listing.listed_on is None  # the old format has no listing date


def test_old_format_person_with_day_precise_birth(old_list: dict) -> None:
    # <LastName>Mann</LastName><GivenName>Aung Thet</GivenName><Aliases>Shwe Mann Ko Ko</Aliases>
    # <DateOfBirth>1977-06-19</DateOfBirth><Schedule>2</Schedule><Item>4</Item>
    entity = old_list["burma-2-4"]
    assert entity.schema == "Person"
    assert entity.get("firstName") == ["Aung Thet"] and entity.get("lastName") == ["Mann"]
    assert _names(entity, NameKind.ALIAS) == ["Shwe Mann Ko Ko"]
    assert [(d.value, d.precision) for d in entity.dates] == [("1977-06-19", "day")]


def test_old_format_title_and_record_without_schedule(old_list: dict) -> None:
    assert old_list["syria-2-60"].get("title") == ["Major General/major-général"]
    # <Country>Venezuela </Country><LastName>BERNAL MARTÍNEZ</LastName>...<Item>55</Item>
    assert old_list["venezuela-na-55"].caption == "Manuel Gregorio BERNAL MARTÍNEZ"
    assert old_list["jvcfor-1-1"].listing.programs[0].startswith("Justice for Victims")


def test_current_format_sample() -> None:
    path = SAMPLES / "ca_sema.xml"
    assert detect_format(path).name == "ca_sema"
    entities = {e.listing.authority_id: e for e in ca_sema.parse(path)}
    person = entities["fictionland-1-part-1-1"]
    assert person.id == "ca_dfatd_sema_sanctions-fictionland-1-part-1-1"
    assert [d.value for d in person.dates] == ["1961-07"]
    assert _names(person, NameKind.ALIAS) == ["Fiktional Eksamplov", "F. I. Examplov"]
    assert person.listing.listed_on == "2022-03-15"
    ship = entities["fictionland-1-part-3-1"]
    assert ship.schema == "Vessel" and ship.get("imoNumber") == ["9999999"]
    assert ship.get("buildDate") == ["2005"]


def test_csv_variant_and_alias_separators(fixtures: Path) -> None:
    path = fixtures / "ca" / "sema_current.csv"
    assert detect_format(path).name == "ca_sema"
    person, company = ca_sema.parse(path)
    assert [d.value for d in person.dates] == ["1961-07-02", "1962"]
    assert _names(company, NameKind.ALIAS) == ["FICT TRADING", "Fictional Trading (Cyprus, branch)"]


def test_ids_are_stable_and_hash_fallback_is_deterministic() -> None:
    record = {"Country": "Russia / Russie", "Schedule": "1, Part 1", "Item": "12"}
    assert ca_sema.authority_id(record) == "russia-1-part-1-12"
    no_item = {"Country": "Russia / Russie", "LastName": "Examplov", "GivenName": "Fictional"}
    assert ca_sema.authority_id(no_item) == ca_sema.authority_id(dict(no_item))
    assert ca_sema.authority_id(no_item).startswith("h")


def test_csv_without_country_column_is_a_format_error(fixtures: Path) -> None:
    with pytest.raises(FormatError) as info:
        list(ca_sema.parse(fixtures / "ca" / "sema_no_country.csv"))
    assert info.value.field == "Country" and info.value.line == 1
