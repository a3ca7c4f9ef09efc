"""Canada SEMA list: real old-format XML, current-format sample and CSV fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

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


# -- issue 17, finding 5: aliases that spell one part of the name ---------------------


def test_real_alias_spelling_one_name_part_becomes_a_full_name(old_list: dict) -> None:
    # <LastName>AKIMOV</LastName><GivenName>Andrey Igorevich</GivenName><Aliases> Andrei </Aliases>
    akimov = old_list["russia-1-94"]
    assert _names(akimov, NameKind.ALIAS) == ["Andrei Igorevich AKIMOV"]
    assert "Andrei" not in akimov.get("alias")
    # a family-name variant keeps the given names
    (yerygin,) = [e for e in old_list.values() if e.get("lastName") == ["YERYGIN"]]
    assert _names(yerygin, NameKind.ALIAS) == ["Vladimir Vladimirovich ERYGIN"]


def test_real_full_names_and_nicknames_stay_as_given(old_list: dict) -> None:
    by_last = {tuple(e.get("lastName")): e for e in old_list.values() if e.schema == "Person"}
    assert _names(by_last[("GIRKIN",)], NameKind.ALIAS) == ["Igor STRELKOV"]
    assert _names(by_last[("PAVLOV",)], NameKind.ALIAS) == ["Motorola"]
    assert "Amir Ali Hajizadeh" in by_last[("Zadeh",)].get("alias")


def test_real_no_person_alias_is_a_bare_spelling_of_one_name_part(
    shared_data: Path, old_list: dict
) -> None:
    """Read the raw records: every single-word alias similar to a name part was completed."""
    tree = etree.parse(str(shared_data / OLD))
    people = {
        (e.first("firstName"), e.first("lastName")): e
        for e in old_list.values()
        if e.schema == "Person"
    }
    completed = 0
    for record in tree.iter("record"):
        given = " ".join((record.findtext("GivenName") or "").split())
        last = " ".join((record.findtext("LastName") or "").split())
        if not (given and last):
            continue
        entity = people[(given, last)]
        for alias in (record.findtext("Aliases") or "").split(","):
            alias = alias.strip()
            if alias and ca_sema.complete_alias(alias, given, last):
                assert alias not in entity.get("alias"), (given, last, alias)
                assert ca_sema.complete_alias(alias, given, last) in entity.get("alias")
                completed += 1
    assert completed >= 40  # 47 aliases on 40 records in sema-lmes_2020-04.xml


def test_complete_alias_rule() -> None:
    assert ca_sema.complete_alias("Sergei Nikolaevich", "Sergey Nikolayevich", "STANKEVICH") == (
        "Sergei Nikolaevich STANKEVICH"
    )
    assert ca_sema.complete_alias("Oleksii SALYAYEV", "Aleksey Mikhailovich", "SALYAEV") is None
    assert ca_sema.complete_alias("Givi", "Mikhail", "TOLSTYKH") is None
    assert ca_sema.complete_alias("Andrei", None, "AKIMOV") is None
