"""OFAC legacy CSV sets: hand-written fictional fixtures for units, ../shared/data for real sets.

Expected values of the real entries were read by hand from the 2023-12-28 files
(sdn.csv, alt.csv, add.csv, sdn_comments.csv).
"""

from __future__ import annotations

import csv
import logging
import re
import shutil
import time
from pathlib import Path

import pytest

from sanctions.errors import FormatError
from sanctions.model import Entity, FuzzyDate, NameKind
from sanctions.sources import detect_format, ofac_csv
from sanctions.sources.base import sniff

SDN_2023 = "us/ofac-sdn/2023-12-28"


@pytest.fixture(scope="module")
def fixture_set(fixtures: Path) -> dict[str, Entity]:
    return {e.listing.authority_id: e for e in ofac_csv.parse(fixtures / "ofac_csv")}


@pytest.fixture(scope="module")
def sdn_2023(shared_data: Path) -> tuple[dict[str, Entity], ofac_csv.RemarkStats, float]:
    stats = ofac_csv.RemarkStats()
    start = time.perf_counter()
    entities = {
        e.listing.authority_id: e for e in ofac_csv.parse(shared_data / SDN_2023, stats=stats)
    }
    return entities, stats, time.perf_counter() - start


def names_of(entity: Entity, kind: NameKind) -> list[str]:
    return [n.name for n in entity.names if n.kind == kind]


# -- detection and file sets ----------------------------------------------------------


def test_detect_recognises_primary_address_and_alias_files(fixtures: Path) -> None:
    folder = fixtures / "ofac_csv"
    for name in ("sdn.csv", "add.csv", "alt.csv"):
        assert ofac_csv.detect(sniff(folder / name)), name


def test_detect_refuses_other_content() -> None:
    assert not ofac_csv.detect(b"id,name,country\n1,FICTIONAL LTD,ru\n")
    assert not ofac_csv.detect(b'{"id": "x", "schema": "Person", "properties": {}}\n')
    assert not ofac_csv.detect(b'<?xml version="1.0"?><sdnList/>')
    assert not ofac_csv.detect(b'90006,"ENT GROUP S.A.; continuation"\r\n')  # comments alone


def test_detect_dir_and_dataset_for(fixtures: Path, tmp_path: Path) -> None:
    assert ofac_csv.detect_dir(fixtures / "ofac_csv")
    assert not ofac_csv.detect_dir(fixtures)
    (tmp_path / "CONS_PRIM.CSV").write_bytes((fixtures / "ofac_csv" / "sdn.csv").read_bytes())
    assert ofac_csv.detect_dir(tmp_path)
    assert ofac_csv.dataset_for(tmp_path) == "us_ofac_cons"
    assert ofac_csv.dataset_for(tmp_path / "CONS_PRIM.CSV") == "us_ofac_cons"
    assert ofac_csv.dataset_for(fixtures / "ofac_csv") == "us_ofac_sdn"
    assert ofac_csv.dataset_for(fixtures / "ofac_csv" / "sdn.csv") == "us_ofac_sdn"
    assert ofac_csv.published(fixtures / "ofac_csv") is None


def test_primary_file_finds_its_siblings_in_any_letter_case(fixtures: Path, tmp_path: Path) -> None:
    for name in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"):
        shutil.copy(fixtures / "ofac_csv" / name, tmp_path / name.upper())
    entities = {e.listing.authority_id: e for e in ofac_csv.parse(tmp_path / "SDN.CSV")}
    assert len(entities) == 6
    assert names_of(entities["90001"], NameKind.ALIAS) == ["FICTIONAL TRADING CO"]
    assert entities["90001"].get("address") == ["1 Fictional Street, Dubai, United Arab Emirates"]
    assert entities["90006"].get("linkedTo") == ["FICTIONAL PARENT GROUP S.A."]


def test_folder_without_primary_file_loads_without_inventing_names(
    fixtures: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("add.csv", "alt.csv"):
        shutil.copy(fixtures / "ofac_csv" / name, tmp_path / name)
    assert ofac_csv.detect_dir(tmp_path)
    with caplog.at_level(logging.WARNING):
        entities = {e.listing.authority_id: e for e in ofac_csv.parse(tmp_path)}
    assert "no primary file" in caplog.text
    assert all(not names_of(e, NameKind.PRIMARY) for e in entities.values())
    assert all(e.schema == "LegalEntity" for e in entities.values())
    assert names_of(entities["90006"], NameKind.ALIAS) == ["FICTIONAL FRONT TWO"]
    assert entities["99999"].get("address") == ["9 Orphan Road, Nowhere, Panama"]


# -- the fictional fixture set -----------------------------------------------------------


def test_organization_with_registration_is_a_company_with_identifiers(fixture_set) -> None:
    e = fixture_set["90001"]
    assert e.id == "us_ofac_sdn-90001"
    assert e.schema == "Company"
    assert e.listing.programs == ["SDGT", "IRGC"]
    assert e.listing.source_file == "sdn.csv"
    assert e.get("registrationNumber") == ["12345678"]
    assert e.get("swiftBic") == ["FICTAEAD"]
    assert e.get("leiCode") == ["5493000FICTIONAL0001"]
    assert e.get("website") == ["www.fictional-trading.example"]
    assert e.get("email") == ["info@fictional-trading.example"]
    assert e.get("linkedTo") == ["FICTIONAL HOLDING GROUP"]
    assert e.get("country") == ["ae"]
    assert names_of(e, NameKind.PREVIOUS) == ["FICTIONAL OLD TRADING LLC"]


def test_person_remarks_are_extracted_and_kept_in_notes(fixture_set) -> None:
    e = fixture_set["90002"]
    assert e.schema == "Person"
    primary = next(n for n in e.names if n.kind == NameKind.PRIMARY)
    assert primary.name == "DOE, John Fictional"
    assert dict(primary.parts) == {"firstName": "John Fictional", "lastName": "DOE"}
    assert e.dates == [FuzzyDate("1960-10-12"), FuzzyDate("1961")]
    assert e.get("birthPlace") == ["Springfield, Iraq"]
    assert e.get("nationality") == ["iq"]
    assert e.get("citizenship") == ["kp"]
    assert e.get("gender") == ["male"]
    assert e.get("passportNumber") == ["A1234567"]
    assert e.get("idNumber") == ["99887766"]
    assert e.get("taxNumber") == ["FICT-1234"]
    assert names_of(e, NameKind.WEAK) == ["JOHNNY FICTION"]
    assert e.get("notes")[0].startswith("DOB 12 Oct 1960; alt. DOB 1961; POB Springfield")


def test_alias_rows_repeating_name_and_kind_count_once(fixture_set) -> None:
    # alt.csv has "DOE, Johnny" twice as aka and once as fka: one alias, one former name.
    e = fixture_set["90002"]
    assert names_of(e, NameKind.ALIAS) == ["DOE, Johnny"]
    assert names_of(e, NameKind.PREVIOUS) == ["DOE, Johnny"]


def test_dates_keep_precision_circa_and_ranges(fixture_set) -> None:
    e = fixture_set["90003"]
    assert e.dates == [
        FuzzyDate("1955", circa=True),
        FuzzyDate("1958", end="1960"),
        FuzzyDate("1957-03"),
    ]
    assert e.get("position") == ["Minister of Fictional Affairs"]
    assert e.get("birthPlace") == ["Bogotá, Colombia"]  # a cp1252 byte, decoded
    assert e.listing.programs == ["GLOMAG", "RUSSIA-EO14024"]


def test_vessel_columns_and_remarks(fixture_set) -> None:
    e = fixture_set["90004"]
    assert e.schema == "Vessel"
    assert e.get("callSign") == ["FIC123"]
    assert e.get("type") == ["Crude Oil Tanker"]
    assert e.get("tonnage") == ["1,000"]
    assert e.get("grossRegisteredTonnage") == ["2,000"]
    assert e.get("flag") == ["pa"]
    assert e.get("owner") == ["FICTIONAL SHIPPING LTD"]
    assert e.get("imoNumber") == ["9999991"]
    assert e.get("mmsi") == ["999999999"]
    assert e.get("pastFlags") == ["mt"]
    assert e.dates == [FuzzyDate("1990", prop="buildDate")]
    assert names_of(e, NameKind.PREVIOUS) == ["OLD FICTIONAL STAR"]  # remark f.k.a.
    assert "address" not in e.properties  # an all -0- address row adds nothing


def test_aircraft_remarks(fixture_set) -> None:
    e = fixture_set["90005"]
    assert e.schema == "Airplane"
    assert e.get("serialNumber") == ["12345"]
    assert e.get("model") == ["B747-FICT"]
    assert e.get("registrationNumber") == ["EP-FIC"]
    assert e.get("operator") == ["FICTIONAL AIRLINES"]
    assert e.dates == [FuzzyDate("1995-01-01", prop="buildDate")]


def test_comments_file_continues_the_remark_without_separator(fixture_set) -> None:
    e = fixture_set["90006"]
    assert e.schema == "Organization"
    assert e.get("linkedTo") == ["FICTIONAL PARENT GROUP S.A."]
    assert e.get("cryptoWallet") == ["1FictionalAddressXXXXXXXXXXXXXX"]
    assert e.dates == [FuzzyDate("1999", prop="incorporationDate")]
    assert names_of(e, NameKind.ALIAS) == ["FICTIONAL FRONT TWO"]  # nka
    assert names_of(e, NameKind.WEAK) == ["FICTIONAL FRONT THREE"]  # alt_remarks say weak


def test_rows_of_unknown_entries_are_skipped_with_a_warning(
    fixtures: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        ids = [e.listing.authority_id for e in ofac_csv.parse(fixtures / "ofac_csv")]
    assert "99999" not in ids
    assert "alt.csv: 1 entries not in the primary file" in caplog.text


# -- remark splitting and extraction units -------------------------------------------------


def test_split_remarks_keeps_abbreviation_dot_and_parenthesised_semicolons() -> None:
    assert ofac_csv.split_remarks("DOB 1960; Linked To: FICTIONAL S.A.") == [
        "DOB 1960",
        "Linked To: FICTIONAL S.A.",
    ]
    assert ofac_csv.split_remarks("a.k.a. 'FICTIONAL'.") == ["a.k.a. 'FICTIONAL'"]
    assert ofac_csv.split_remarks("Passport 1 (issued; FICTIONAL); Gender Male") == [
        "Passport 1 (issued; FICTIONAL)",
        "Gender Male",
    ]


@pytest.mark.parametrize(
    ("remark", "prop", "value"),
    [
        ("National ID No. 123 (Iraq)", "idNumber", "123"),
        (
            "alt. Passport B 960789 issued 08 Sep 2006 expires 17 Jul 2011",
            "passportNumber",
            "B 960789",
        ),
        ("Tax ID No. 7707083893 (Russia)", "taxNumber", "7707083893"),
        ("Legal Entity Number 253400FICTIONAL00001 (Russia)", "leiCode", "253400FICTIONAL00001"),
        ("Vessel Registration Identification IMO 9187629", "imoNumber", "9187629"),
        ("MMSI 123456789", "mmsi", "123456789"),
        ("SWIFT/BIC ABCDRUMM", "swiftBic", "ABCDRUMM"),
        ("Phone Number 0000-FICT", "phone", "0000-FICT"),
        ("nationality Korea, North", "nationality", "kp"),
        ("citizen Bahamas, The", "citizenship", "bs"),
        (
            "Organization Type: Activities of holding companies",
            "sector",
            "Activities of holding companies",
        ),
        ("Haji", "title", "Haji"),
    ],
)
def test_apply_remarks_extracts_one_segment(remark: str, prop: str, value: str) -> None:
    entity = Entity.create("us_ofac_sdn", "1", "Person")
    stats = ofac_csv.RemarkStats()
    ofac_csv.apply_remarks(entity, remark, stats)
    assert entity.get(prop) == [value]
    assert entity.get("notes") == [remark]
    assert stats.extracted == 1


def test_apply_remarks_keeps_a_country_it_cannot_code_as_text() -> None:
    entity = Entity.create("us_ofac_sdn", "1", "Person")
    ofac_csv.apply_remarks(entity, "nationality Atlantis", ofac_csv.RemarkStats())
    assert entity.get("nationality") == []
    assert "nationality (not understood): Atlantis" in entity.get("notes")


def test_apply_remarks_counts_statements_and_unknown_segments() -> None:
    entity = Entity.create("us_ofac_sdn", "1", "Organization")
    stats = ofac_csv.RemarkStats()
    text = (
        "Additional Sanctions Information - Subject to Secondary Sanctions; "
        "DOB not a date; FICTIONAL remark nobody wrote."
    )
    ofac_csv.apply_remarks(entity, text, stats)
    assert (stats.segments, stats.extracted, stats.statements, stats.unknown_count()) == (
        3,
        0,
        1,
        2,
    )
    assert "birthDate" not in entity.properties
    assert entity.get("notes") == [text]


def test_split_programs() -> None:
    assert ofac_csv.split_programs("[SDGT] [IRGC]") == ["SDGT", "IRGC"]
    assert ofac_csv.split_programs("SDGT] [IFSR") == ["SDGT", "IFSR"]
    assert ofac_csv.split_programs("CUBA") == ["CUBA"]


# -- bad input ---------------------------------------------------------------------------


def test_missing_column_raises_format_error_naming_file_and_line(fixtures: Path) -> None:
    path = fixtures / "ofac_csv" / "bad_missing_column" / "sdn.csv"
    with pytest.raises(FormatError) as info:
        list(ofac_csv.parse(path))
    assert info.value.line == 2
    assert info.value.path == str(path)
    assert "sdn.csv, line 2" in str(info.value)
    assert "expected 12 columns, found 11" in str(info.value)


def test_unknown_sdn_type_and_alt_type_raise_format_error(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_text(
        '1,"FICTIONAL",robot,"SDGT",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n'
    )
    with pytest.raises(FormatError, match="SDN_Type"):
        list(ofac_csv.parse(tmp_path))
    (tmp_path / "sdn.csv").write_text('1,"FICTIONAL",-0-,"SDGT",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n')
    (tmp_path / "alt.csv").write_text('1,2,"xyz","FICTIONAL TWO",-0-\n')
    with pytest.raises(FormatError, match="alt.csv, line 1"):
        list(ofac_csv.parse(tmp_path))


# -- real files (../shared/data) -------------------------------------------------------------


def remark_former_names(path: Path) -> int:
    """Distinct (entry, name) pairs quoted after f.k.a. in the remarks of a raw sdn.csv."""
    pairs = set()
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.reader(handle):
            for name in re.findall(r"f\.k\.a\.,?\s+'([^']+)'", row[-1] if row else ""):
                pairs.add((row[0], name))
    return len(pairs)


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_sdn_2023_has_every_entry_and_every_alias(shared_data: Path, sdn_2023) -> None:
    entities, _, _ = sdn_2023
    assert len(entities) == 13_821
    # ALIAS + PREVIOUS names come from alt.csv (one per row, as no row of this file
    # repeats the name and kind of its entity) plus the remarks' f.k.a. names.
    attached = sum(
        1
        for e in entities.values()
        for n in e.names
        if n.kind in (NameKind.ALIAS, NameKind.PREVIOUS)
    )
    assert attached == 17_091 + remark_former_names(shared_data / SDN_2023 / "sdn.csv")
    assert all(len(names_of(e, NameKind.PRIMARY)) == 1 for e in entities.values())


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_sdn_2023_remarks_are_mostly_understood(sdn_2023) -> None:
    _, stats, _ = sdn_2023
    assert stats.segments > 50_000
    assert stats.recognised / stats.segments > 0.97
    assert stats.extracted / stats.segments > 0.85


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_sdn_2023_parses_quickly(sdn_2023) -> None:
    # About 2 s on an idle core; the bound is loose for shared CI machines and only
    # catches a regression to quadratic behaviour.
    _, _, seconds = sdn_2023
    assert seconds < 15


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_real_bank_with_remark_alias_and_addresses(sdn_2023) -> None:
    e = sdn_2023[0]["306"]
    assert e.schema == "Organization"
    assert names_of(e, NameKind.PRIMARY) == ["BANCO NACIONAL DE CUBA"]
    assert names_of(e, NameKind.ALIAS) == ["NATIONAL BANK OF CUBA"]
    assert names_of(e, NameKind.WEAK) == ["BNC"]
    assert e.listing.programs == ["CUBA"]
    assert e.get("country") == ["ch", "es", "jp", "pa"]
    assert e.get("address")[0] == "Zweierstrasse 35, Zurich CH-8022, Switzerland"


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_real_person_year_only_dob_passport_and_weak_aliases(sdn_2023) -> None:
    e = sdn_2023[0]["7150"]  # AL-LIBI, Abd al-Muhsin
    assert e.schema == "Person"
    assert e.get("lastName")[0] == "AL-LIBI"
    assert e.get("firstName")[0] == "Abd al-Muhsin"
    assert e.dates == [FuzzyDate("1966"), FuzzyDate("1969-10-27")]
    assert e.get("nationality") == ["ly"]
    assert e.get("passportNumber") == ["203037"]
    assert names_of(e, NameKind.WEAK) == ["ABU ANAS", "'ABD AL-MUHSI", "'ABD AL-RAHMAN"]
    assert len(names_of(e, NameKind.ALIAS)) == 5
    assert "TANTOUCHE, Ibrahim Abubaker" in names_of(e, NameKind.ALIAS)
    assert e.get("address") == ["Johannesburg, South Africa"]


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_real_bank_swift_bic_and_two_programmes(sdn_2023) -> None:
    e = sdn_2023[0]["13131"]  # EGHTESAD NOVIN BANK
    assert e.listing.programs == ["IRAN", "IRAN-EO13902"]
    assert e.get("swiftBic") == ["BEGNIRTH"]
    assert e.get("website") == ["www.enbank.ir"]
    assert names_of(e, NameKind.ALIAS) == [
        "BANK-E EGHTESAD NOVIN",
        "EN BANK PJSC",
        "BANK EGHTESAD NOVIN",
    ]


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_real_sdn_2023_remark_former_names_are_previous_names(shared_data: Path, sdn_2023) -> None:
    entities = sdn_2023[0]
    with open(shared_data / SDN_2023 / "sdn.csv", encoding="utf-8", newline="") as handle:
        found = [
            (row[0], name)
            for row in csv.reader(handle)
            for name in re.findall(r"f\.k\.a\.,?\s+'([^']+)'", row[-1] if row else "")
        ]
    assert len(found) == 86
    for uid, name in found:
        assert name in entities[uid].get("previousName"), (uid, name)


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_real_vessel_imo_and_former_names(sdn_2023) -> None:
    e = sdn_2023[0]["4243"]  # EBANO
    assert e.schema == "Vessel"
    assert e.get("imoNumber") == ["7406784"]
    assert e.get("type") == ["General Cargo"]
    assert e.get("tonnage") == ["2595"]
    assert e.get("grossRegisteredTonnage") == ["1865"]
    assert e.get("flag") == ["pa"]
    # remarks: "f.k.a. 'ANA I'; f.k.a. 'SAND SWAN'": former names, not weak aliases
    assert names_of(e, NameKind.PREVIOUS) == ["ANA I", "SAND SWAN"]
    assert names_of(e, NameKind.WEAK) == []


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_real_person_several_dobs_and_passports(sdn_2023) -> None:
    e = sdn_2023[0]["6944"]  # AL-SHARIF, Sa'd Abdullah Hussein
    assert e.dates == [FuzzyDate("1969"), FuzzyDate("1963"), FuzzyDate("1964-02-11")]
    assert e.get("birthPlace") == ["Al-Medinah, Saudi Arabia"]
    assert e.get("nationality") == ["sa"]
    assert e.get("passportNumber") == ["B 960789", "G 649385"]


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_real_person_circa_dob(sdn_2023) -> None:
    e = sdn_2023[0]["7782"]  # SAHINPASIC, Senad
    assert e.dates == [FuzzyDate("1951", circa=True)]
    assert e.get("birthPlace") == ["Foca, Bosnia-Herzegovina"]
    assert e.listing.programs == ["BALKANS"]


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_real_person_dob_ranges_month_and_six_programmes(sdn_2023) -> None:
    e = sdn_2023[0]["12057"]  # NAQDI, Mohammad Reza
    assert e.listing.programs == ["SDGT", "NPWMD", "IRGC", "IFSR", "IRAN-HR", "IRAN-EO13876"]
    assert e.dates == [
        FuzzyDate("1951", end="1953"),
        FuzzyDate("1960", end="1962"),
        FuzzyDate("1961-04"),
        FuzzyDate("1953"),
    ]
    assert e.get("birthPlace") == ["Najaf, Iraq", "Tehran, Iran"]
    assert e.get("gender") == ["male"]
    assert "Head of the Basij" in e.get("position")
    assert len(names_of(e, NameKind.ALIAS)) == 7


@pytest.mark.slow  # the whole real SDN 2023 set (CI runs it)
def test_real_remark_continued_in_comments_file(sdn_2023) -> None:
    e = sdn_2023[0]["17018"]  # PUBLIC JOINT STOCK COMPANY SBERBANK OF RUSSIA
    assert e.schema == "Company"
    assert e.get("swiftBic") == ["SABRRUMM"]
    # Both numbers are in sdn_comments.csv, past the 1,000 characters of sdn.csv.
    assert e.get("taxNumber") == ["7707083893"]
    assert e.get("registrationNumber") == ["1027700132195"]
    assert e.get("notes")[0].endswith("ukraine.aspx#directives.")
    assert "OPEN JOINT STOCK COMPANY SBERBANK OF RUSSIA" in names_of(e, NameKind.PREVIOUS)
    assert "PJSC SBERBANK" in names_of(e, NameKind.ALIAS)


@pytest.mark.slow  # parses every real SDN set (CI runs it)
@pytest.mark.parametrize(
    ("folder", "entries"),
    [
        ("us/ofac-sdn/2018-12-19", 7_379),
        ("us/ofac-sdn/2021-07-07", 8_976),
        ("us/ofac-sdn/2022-01-10/sdn.csv", 9_015),
        ("us/ofac-sdn/2022-02-17/sdn.csv", 9_056),
        ("us/ofac-sdn/2022-02-24/sdn.csv", 9_123),
        ("us/ofac-sdn/2022-02-25/sdn.csv", 9_214),
        ("us/ofac-sdn/2022-02-28/sdn.csv", 9_222),
        ("us/ofac-sdn/2022-04-08/sdn.csv", 9_966),
        ("us/ofac-sdn/2024-05-03/sdn.csv", 14_965),
        ("us/ofac-consolidated", 442),
        ("us/ofac-consolidated/cons_prim.csv", 442),
    ],
)
def test_every_real_set_parses(shared_data: Path, folder: str, entries: int) -> None:
    path = shared_data / folder
    fmt = detect_format(path)
    assert fmt.name == "ofac_csv"
    entities = list(fmt.parse(path, dataset=fmt.dataset_for(path)))
    assert len(entities) == entries
    assert len({e.id for e in entities}) == entries
    dataset = "us_ofac_cons" if "consolidated" in folder else "us_ofac_sdn"
    assert all(e.listing.dataset == dataset for e in entities)
    assert all(names_of(e, NameKind.PRIMARY) for e in entities)


@pytest.mark.slow  # a real list (CI runs it)
def test_real_consolidated_aliases(shared_data: Path) -> None:
    entities = list(ofac_csv.parse(shared_data / "us/ofac-consolidated"))
    kinds = [n.kind for e in entities for n in e.names]
    former = remark_former_names(shared_data / "us/ofac-consolidated/cons_prim.csv")
    assert former == 3
    # cons_alt.csv rows + the remarks' f.k.a. names
    assert kinds.count(NameKind.ALIAS) + kinds.count(NameKind.PREVIOUS) == 1_073 + former
    assert entities[0].id == "us_ofac_cons-9639"


@pytest.mark.slow  # a real SDN set (CI runs it)
def test_real_partial_folder_loads_ids_aliases_and_addresses(shared_data: Path) -> None:
    path = shared_data / "us/ofac-sdn/2025-12-partial"
    assert detect_format(path).name == "ofac_csv"
    entities = list(ofac_csv.parse(path))
    assert len(entities) == 18_494
    kinds = [n.kind for e in entities for n in e.names]
    assert NameKind.PRIMARY not in kinds
    assert kinds.count(NameKind.ALIAS) + kinds.count(NameKind.PREVIOUS) == 20_107
