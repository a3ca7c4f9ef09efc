"""OFAC advanced XML (SDN_ADVANCED schema): fictional fixture units and the real CONS file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sanctions.errors import FormatError
from sanctions.model import Entity, FuzzyDate, ListMembership, NameKind
from sanctions.sources import ofac_advanced

REAL = "us/ofac-consolidated/CONS_ADVANCED_2021-06-03.xml"


@pytest.fixture(scope="module")
def fixture_path(fixtures: Path) -> Path:
    return fixtures / "ofac_xml" / "advanced.xml"


@pytest.fixture(scope="module")
def fixture_entities(fixture_path: Path) -> dict[str, Entity]:
    return {e.listing.authority_id: e for e in ofac_advanced.parse(fixture_path)}


@pytest.fixture(scope="module")
def real_entities(shared_data: Path) -> dict[str, Entity]:
    return {e.listing.authority_id: e for e in ofac_advanced.parse(shared_data / REAL)}


def names(entity: Entity, kind: NameKind) -> list[str]:
    return [n.name for n in entity.names if n.kind == kind]


# -- fixture units ----------------------------------------------------------------


def test_detect_recognises_the_advanced_root(fixture_path: Path) -> None:
    assert ofac_advanced.detect(fixture_path.read_bytes()[:4096])
    assert not ofac_advanced.detect(b'<sdnList xmlns="http://tempuri.org/sdnList.xsd">')
    assert not ofac_advanced.detect(b"<Sanctions><Other/></Sanctions>")


def test_entries_on_the_sdn_list_make_an_sdn_file(fixture_path: Path) -> None:
    assert ofac_advanced.dataset_for(fixture_path) == "us_ofac_sdn"
    ids = [e.id for e in ofac_advanced.parse(fixture_path, dataset="us_ofac_cons")]
    assert ids[0] == "us_ofac_cons-900001"


def test_schemas_from_party_types(fixture_entities: dict[str, Entity]) -> None:
    schemas = {k: e.schema for k, e in fixture_entities.items()}
    assert schemas == {
        "900001": "Person",
        "900002": "Company",
        "900003": "Vessel",
        "900004": "Person",
    }


def test_name_kinds_from_alias_flags_and_scripts(fixture_entities: dict[str, Entity]) -> None:
    person = fixture_entities["900001"]
    assert names(person, NameKind.PRIMARY) == ["TESTOV, Ivan Fictivich"]
    assert person.names[0].parts == (
        ("firstName", "Ivan"),
        ("middleName", "Fictivich"),
        ("lastName", "TESTOV"),
    )
    assert names(person, NameKind.ALIAS) == ["TESTOFF, Ivan"]
    assert names(person, NameKind.WEAK) == ["VANYA"]
    assert names(person, NameKind.PREVIOUS) == ["PROBOV, Ivan"]
    (original,) = [n for n in person.names if n.kind == NameKind.ORIGINAL]
    assert original.name == "ТЕСТОВ Иван Фиктивич"
    assert original.script == "Cyrillic"


def test_date_periods_fold_back_to_their_precision(fixture_entities: dict[str, Entity]) -> None:
    person = fixture_entities["900001"]
    assert person.dates == [
        FuzzyDate("1961", "birthDate", circa=True),
        FuzzyDate("1963", "birthDate", end="1965"),
    ]
    assert fixture_entities["900004"].dates == [FuzzyDate("1970-02", "birthDate")]


def test_features_documents_and_locations(fixture_entities: dict[str, Entity]) -> None:
    person = fixture_entities["900001"]
    assert person.get("passportNumber") == ["FX1234567"]
    assert person.get("nationality") == ["ru"]
    assert person.get("gender") == ["male"]
    assert person.get("birthPlace") == ["Testograd, Russia"]
    assert person.get("address") == ["1 Fictional Street, Moscow, Russia"]
    company = fixture_entities["900002"]
    assert company.get("swiftBic") == ["FICTXX22"]
    assert company.get("registrationNumber") == ["FIC-0042"]
    assert company.get("country") == []  # "undetermined" is no country
    vessel = fixture_entities["900003"]
    assert vessel.get("imoNumber") == ["IMO9999991"]
    assert vessel.get("flag") == ["pa"]
    assert vessel.get("type") == ["Crude Oil Tanker"]


def test_programmes_and_earliest_entry_date(fixture_entities: dict[str, Entity]) -> None:
    person = fixture_entities["900001"]
    assert person.listing.programs == ["RUSSIA-EO14024", "SDGT"]
    assert person.listing.listed_on == "2022-02-24"
    assert fixture_entities["900004"].listing.listed_on == "2012-03-09"


def test_truncated_file_raises_format_error_with_line(fixture_path: Path, tmp_path: Path) -> None:
    data = fixture_path.read_bytes()
    broken = tmp_path / "truncated.xml"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError) as info:
        list(ofac_advanced.parse(broken))
    assert (
        info.value.line == data[: len(data) // 2].count(b"\n") + 1
    )  # the line where the cut file ends


def test_party_without_primary_name_raises(fixture_path: Path, tmp_path: Path) -> None:
    text = fixture_path.read_text(encoding="utf-8")
    bad = tmp_path / "noprimary.xml"
    bad.write_text(
        text.replace('AliasTypeID="1403" Primary="true"', 'AliasTypeID="1403" Primary="false"')
    )
    with pytest.raises(FormatError, match="no primary name") as info:
        list(ofac_advanced.parse(bad))
    party = text.index('<DistinctParty FixedRef="900001"')
    assert info.value.line == text[:party].count("\n") + 1  # the party's line


def test_demo_sample_parses() -> None:
    sample = Path(ofac_advanced.__file__).parents[1] / "data" / "samples" / "ofac_advanced.xml"
    entities = list(ofac_advanced.parse(sample))
    assert len(entities) == 4
    assert all(e.get("notes") == ["FICTIONAL ENTRY FOR DEMONSTRATION"] for e in entities)


# -- the real consolidated advanced file ---------------------------------------


def test_real_file_counts_parties_and_decides_dataset(shared_data: Path) -> None:
    path = shared_data / REAL
    start = time.perf_counter()
    entities = list(ofac_advanced.parse(path))
    elapsed = time.perf_counter() - start
    assert len(entities) == 446
    assert elapsed < 10, f"parsing the 3.4 MB sample took {elapsed:.1f}s"
    assert ofac_advanced.published(path) == "2021-06-03"
    assert ofac_advanced.dataset_for(path) == "us_ofac_cons"
    assert all(e.id.startswith("us_ofac_cons-") for e in entities)


def test_real_every_party_has_one_primary_name_and_programme(real_entities: dict) -> None:
    for entity in real_entities.values():
        assert len(names(entity, NameKind.PRIMARY)) == 1, entity.id
        assert entity.listing.programs, entity.id
        assert entity.listing.listed_on, entity.id


def test_real_person_year_birth_date_and_listing_date(real_entities: dict) -> None:
    e = real_entities["9639"]
    assert names(e, NameKind.PRIMARY) == ["HANIYA, Ismail Abdul Salah"]
    assert names(e, NameKind.ALIAS) == ["HANIYA, Ismail", "HANIYYA, Ismaeel"]
    assert e.dates == [FuzzyDate("1962", "birthDate")]
    assert e.get("birthPlace") == ["Shati"]
    assert e.listing.programs == ["NS-PLC"]
    assert e.listing.listed_on == "2006-04-12"  # PLC list; on the Consolidated List 2014-10-10


def test_real_passport_day_birth_date_gender(real_entities: dict) -> None:
    e = real_entities["26182"]
    assert names(e, NameKind.PRIMARY) == ["KAYAKIRAN, Evren"]
    assert e.get("passportNumber") == ["U00242309"]
    assert e.dates == [FuzzyDate("1980-02-08", "birthDate")]
    assert e.get("gender") == ["male"]
    assert e.listing.programs == ["FSE-IR"]


def test_real_cyrillic_names_are_original_script(real_entities: dict) -> None:
    e = real_entities["31914"]
    assert names(e, NameKind.PRIMARY) == ["Samara Heat and Energy Property Fund"]
    originals = [n for n in e.names if n.kind == NameKind.ORIGINAL]
    assert [n.name for n in originals] == [
        "АО СТИФ",
        "АКЦИОНЕРНОЕ ОБЩЕСТВО САМАРСКИЙ ТЕПЛОЭНЕРГЕТИЧЕСКИЙ ИМУЩЕСТВЕННЫЙ ФОНД",
    ]
    assert {n.script for n in originals} == {"Cyrillic"}
    assert "STIF JSC" in names(e, NameKind.ALIAS)
    assert e.listing.programs == ["PEESA"]
    total = sum(n.kind == NameKind.ORIGINAL for x in real_entities.values() for n in x.names)
    assert total == 4


def test_real_bank_identifiers_and_former_names(real_entities: dict) -> None:
    e = real_entities["17013"]
    assert names(e, NameKind.PRIMARY) == ["VTB BANK OAO"]
    assert "VNESHTORGBANK" in names(e, NameKind.PREVIOUS)
    assert e.get("swiftBic") == ["VTBRRUMM"]
    assert e.get("taxNumber") == ["7702070139"]
    assert "1027739609391" in e.get("registrationNumber")
    assert e.get("country") == ["ru"]
    assert e.listing.listed_on == "2014-07-29"


def test_real_weak_aliases_are_low_quality(real_entities: dict) -> None:
    # 59 LowQuality="true" aliases in the file; party 18769 repeats one of them, and
    # one is an f.k.a.: a former name (NameKind.PREVIOUS), as in the CSV remarks
    assert sum(len(names(e, NameKind.WEAK)) for e in real_entities.values()) == 57
    assert names(real_entities["18769"], NameKind.WEAK) == [
        "VYSOKOTOCHNYE KOMPLEKSY",
        "HIGH PRECISION SYSTEMS",
    ]
    e = real_entities["9647"]
    assert names(e, NameKind.PRIMARY) == ["ZAHHAR, Mahmoud Khaled"]
    assert e.dates == [FuzzyDate("1945", "birthDate")]


def test_real_vessels_have_flag_and_call_sign(real_entities: dict) -> None:
    vessels = [e for e in real_entities.values() if e.schema == "Vessel"]
    assert len(vessels) == 11
    assert all(v.get("callSign") and v.get("flag") for v in vessels)
    assert all(v.get("imoNumber") for v in vessels)


def test_real_lists_with_dates_sanction_types_and_legal_authorities(real_entities: dict) -> None:
    # SanctionsEntry ListID -> List, EntryEvent Date and LegalBasisID, SanctionsMeasure types
    vtb = real_entities["18721"].listing
    assert vtb.lists == [
        ListMembership("Consolidated List", "2015-12-22"),
        ListMembership("Sectoral Sanctions Identifications List", "2015-12-22"),
    ]
    assert vtb.provisions == ["13662 Sectoral Directive 1"]
    assert vtb.legal_basis == ["Executive Order 13662 (Ukraine)"]
    assert all(e.listing.lists and e.listing.provisions for e in real_entities.values())
    assert all("Unknown" not in e.listing.legal_basis for e in real_entities.values())
