"""OFAC classic ``sdnList`` XML: hand-written fixture units and the real consolidated file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sanctions.errors import FormatError
from sanctions.model import Entity, FuzzyDate, NameKind
from sanctions.sources import ofac_xml

REAL = "us/ofac-consolidated/consolidated_2024-02-23.xml"


@pytest.fixture(scope="module")
def fixture_path(fixtures: Path) -> Path:
    return fixtures / "ofac_xml" / "sdn_classic.xml"


@pytest.fixture(scope="module")
def fixture_entities(fixture_path: Path) -> dict[str, Entity]:
    return {e.listing.authority_id: e for e in ofac_xml.parse(fixture_path, dataset="us_ofac_sdn")}


@pytest.fixture(scope="module")
def real_entities(shared_data: Path) -> dict[str, Entity]:
    return {e.listing.authority_id: e for e in ofac_xml.parse(shared_data / REAL)}


def names(entity: Entity, kind: NameKind) -> list[str]:
    return [n.name for n in entity.names if n.kind == kind]


# -- fixture units ----------------------------------------------------------------


def test_detect_recognises_sdn_list_root_and_nothing_else(fixture_path: Path) -> None:
    assert ofac_xml.detect(fixture_path.read_bytes()[:4096])
    assert not ofac_xml.detect(
        b'<?xml version="1.0"?><Sanctions xmlns="http://www.un.org/sanctions/1.0">'
    )
    assert not ofac_xml.detect(b"<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>")
    assert not ofac_xml.detect(b'{"id": "x", "schema": "Person", "properties": {}}')


def test_small_record_count_means_consolidated_list(fixture_path: Path) -> None:
    assert ofac_xml.dataset_for(fixture_path) == "us_ofac_cons"
    assert next(ofac_xml.parse(fixture_path)).id == "us_ofac_cons-900001"


def test_fixture_ids_schemas_and_programmes(fixture_entities: dict[str, Entity]) -> None:
    assert sorted(fixture_entities) == ["900001", "900002", "900003", "900004"]
    person = fixture_entities["900001"]
    assert person.id == "us_ofac_sdn-900001"
    assert person.schema == "Person"
    assert person.listing.programs == ["RUSSIA-EO14024", "SDGT"]
    assert person.listing.source_file == "sdn_classic.xml"
    assert fixture_entities["900002"].schema == "Company"
    assert fixture_entities["900003"].schema == "Vessel"


def test_person_names_keep_their_kind(fixture_entities: dict[str, Entity]) -> None:
    person = fixture_entities["900001"]
    assert names(person, NameKind.PRIMARY) == ["TESTOV, Ivan Fictivich"]
    assert names(person, NameKind.ALIAS) == ["TESTOFF, Ivan"]
    assert names(person, NameKind.WEAK) == ["VANYA"]
    assert names(person, NameKind.PREVIOUS) == ["PROBOV, Ivan"]
    assert person.names[0].parts == (("firstName", "Ivan Fictivich"), ("lastName", "TESTOV"))
    assert person.get("position") == ["Fictional Minister of Tests"]
    assert person.get("weakAlias") == ["VANYA"]


def test_circa_and_range_birth_dates(fixture_entities: dict[str, Entity]) -> None:
    person = fixture_entities["900001"]
    assert FuzzyDate("1961", "birthDate", circa=True) in person.dates
    assert FuzzyDate("1963", "birthDate", end="1965") in person.dates
    assert fixture_entities["900004"].dates == [FuzzyDate("1970-02", "birthDate")]


def test_identifiers_and_countries(fixture_entities: dict[str, Entity]) -> None:
    person = fixture_entities["900001"]
    assert person.get("passportNumber") == ["FX1234567"]
    assert person.get("gender") == ["male"]
    assert person.get("nationality") == ["ru"]
    assert person.get("birthPlace") == ["Testograd, Russia"]
    assert person.get("address") == ["1 Fictional Street, Moscow, Russia"]
    company = fixture_entities["900002"]
    assert company.get("swiftBic") == ["FICTXX22"]
    assert company.get("registrationNumber") == ["FIC-0042"]
    assert company.get("previousName") == ["FICTIONAL TANKERS CO"]
    assert FuzzyDate("2001-03", "incorporationDate") in company.dates


def test_vessel_info_and_imo(fixture_entities: dict[str, Entity]) -> None:
    vessel = fixture_entities["900003"]
    assert vessel.get("imoNumber") == ["IMO9999991"]
    assert vessel.get("mmsi") == ["999999991"]
    assert vessel.get("callSign") == ["FAKE1"]
    assert vessel.get("flag") == ["pa"]
    assert vessel.get("type") == ["Crude Oil Tanker"]
    assert vessel.get("owner") == ["FICTIONAL SHIPPING LTD"]
    assert vessel.get("grossRegisteredTonnage") == ["12345"]


def test_truncated_file_raises_format_error_with_line(fixture_path: Path, tmp_path: Path) -> None:
    data = fixture_path.read_bytes()
    broken = tmp_path / "truncated.xml"
    broken.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(FormatError) as info:
        list(ofac_xml.parse(broken))
    assert (
        info.value.line == data[: len(data) * 2 // 3].count(b"\n") + 1
    )  # the line where the cut file ends
    assert "truncated.xml" in str(info.value)


def test_entry_without_uid_raises_format_error_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "nouid.xml"
    bad.write_text(
        '<sdnList xmlns="http://tempuri.org/sdnList.xsd">\n<sdnEntry>\n'
        "<lastName>FICTIONAL NO UID</lastName><sdnType>Entity</sdnType>\n</sdnEntry>\n</sdnList>\n"
    )
    with pytest.raises(FormatError) as info:
        list(ofac_xml.parse(bad))
    assert info.value.field == "uid"
    assert info.value.line == 2


def test_wrong_root_raises_format_error(tmp_path: Path) -> None:
    bad = tmp_path / "other.xml"
    bad.write_text("<somethingElse><sdnEntry><uid>1</uid></sdnEntry></somethingElse>")
    with pytest.raises(FormatError, match="not <sdnList>"):
        list(ofac_xml.parse(bad))


def test_demo_sample_parses(fixtures: Path) -> None:
    sample = Path(ofac_xml.__file__).parents[1] / "data" / "samples" / "ofac_sdn_classic.xml"
    entities = list(ofac_xml.parse(sample))
    assert len(entities) >= 3
    assert all("FICTIONAL ENTRY FOR DEMONSTRATION" in " ".join(e.get("notes")) for e in entities)
    assert ofac_xml.dataset_for(sample) == "us_ofac_sdn"


# -- the real consolidated file ------------------------------------------------


def test_real_file_count_equals_record_count(shared_data: Path, real_entities: dict) -> None:
    path = shared_data / REAL
    assert len(real_entities) == 444
    assert ofac_xml.published(path) == "2024-02-23"
    assert ofac_xml.dataset_for(path) == "us_ofac_cons"
    assert all(e.id.startswith("us_ofac_cons-") for e in real_entities.values())


def test_real_every_entity_has_one_primary_name(real_entities: dict[str, Entity]) -> None:
    for entity in real_entities.values():
        assert len(names(entity, NameKind.PRIMARY)) == 1, entity.id
        assert entity.listing.programs, entity.id


def test_real_uids_are_the_csv_ent_nums(shared_data: Path, real_entities: dict) -> None:
    path = shared_data / "us/ofac-consolidated/cons_prim.csv"
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        ent_nums = {row[0] for row in csv.reader(handle) if row and row[0].strip().isdigit()}
    assert len(ent_nums) == 442
    common = ent_nums & set(real_entities)
    assert len(common) == 441  # files of different dates: one delisting, three listings
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        csv_names = {row[0]: row[1] for row in csv.reader(handle) if row and row[0] in common}
    assert csv_names["9639"] == "HANIYA, Ismail Abdul Salah"
    assert real_entities["9639"].names[0].parts[-1] == ("lastName", "HANIYA")


def test_real_person_with_weak_aliases_gender_nationality(real_entities: dict) -> None:
    e = real_entities["9647"]
    assert e.schema == "Person"
    assert names(e, NameKind.PRIMARY) == ["ZAHHAR, Mahmoud Khaled"]
    assert names(e, NameKind.ALIAS) == ["AL ZAHAR, Mahmoud Khaled"]
    assert names(e, NameKind.WEAK) == ["ZAHAR, Mahmoud", "AL-ZAHAR, Mahmoud"]
    assert e.dates == [FuzzyDate("1945", "birthDate")]
    assert e.get("birthPlace") == ["Gaza Strip"]
    assert e.get("gender") == ["male"]
    assert e.get("nationality") in (["ps"], ["Palestinian"])
    assert e.listing.programs == ["NS-PLC", "SDGT"]
    assert "(Linked To: HAMAS)" in e.get("notes")


def test_real_year_only_birth_date_and_place(real_entities: dict) -> None:
    e = real_entities["9639"]
    assert names(e, NameKind.PRIMARY) == ["HANIYA, Ismail Abdul Salah"]
    assert names(e, NameKind.ALIAS) == ["HANIYA, Ismail", "HANIYYA, Ismaeel"]
    assert e.dates == [FuzzyDate("1962", "birthDate")]
    assert e.dates[0].precision == "year"
    assert e.get("birthPlace") == ["Shati"]
    assert e.listing.programs == ["NS-PLC"]


def test_real_passport_full_birth_date_citizenship(real_entities: dict) -> None:
    e = real_entities["26182"]
    assert names(e, NameKind.PRIMARY) == ["KAYAKIRAN, Evren"]
    assert e.get("passportNumber") == ["U00242309"]
    assert e.dates == [FuzzyDate("1980-02-08", "birthDate")]
    assert e.get("citizenship") in (["tr"], ["Turkey"])
    assert e.listing.programs == ["FSE-IR"]


def test_real_bank_with_swift_and_former_names(real_entities: dict) -> None:
    e = real_entities["15268"]
    assert e.schema == "Company"
    assert names(e, NameKind.PRIMARY) == ["BANK OF KUNLUN CO LTD"]
    assert names(e, NameKind.PREVIOUS) == [
        "KARAMAY URBAN CREDIT COOPERATIVES",
        "KARAMAY CITY COMMERCIAL BANK CO LTD.",
    ]
    assert e.get("swiftBic") == ["CKLBCNBJ"]
    assert len(e.get("address")) == 4
    assert e.listing.programs == ["561-Related"]


def test_real_vtb_identifiers(real_entities: dict) -> None:
    e = real_entities["17013"]
    assert names(e, NameKind.PRIMARY) == ["VTB BANK PUBLIC JOINT STOCK COMPANY"]
    assert e.get("swiftBic") == ["VTBRRUMM"]
    assert e.get("leiCode") == ["253400V1H6ART1UQ0N98"]
    assert e.get("taxNumber") == ["7702070139"]
    assert "1027739609391" in e.get("registrationNumber")
    assert e.get("bikCode") == ["044030707", "044525187"]
    assert FuzzyDate("1990-10-17", "incorporationDate") in e.dates
    assert e.listing.programs == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert "Executive Order 13662 Directive Determination - Subject to Directive 1" in e.get(
        "notes"
    )


def test_real_company_country_of_registration_and_email(real_entities: dict) -> None:
    e = real_entities["23552"]
    assert names(e, NameKind.PRIMARY) == ["LENGIPRONEFTEKHIM OOO"]
    assert "LLC LENGIPRONEFTEKHIM" in names(e, NameKind.ALIAS)
    assert e.get("email") == ["lgnch@lgnch.spb.ru"]
    assert e.get("taxNumber") == ["7810327462"]
    assert e.get("country") in (["ru"], ["Russia"])


def test_real_cmic_company(real_entities: dict) -> None:
    e = real_entities["33091"]
    assert names(e, NameKind.PRIMARY) == ["MEGVII TECHNOLOGY LIMITED"]
    assert e.listing.programs == ["CMIC-EO13959"]
    assert "Listing Date (CMIC) 16 Dec 2021" in e.get("notes")
