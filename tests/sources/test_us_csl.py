"""US Consolidated Screening List CSV and BIS Denied Persons List text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sanctions.countries import is_country_code
from sanctions.errors import FormatError
from sanctions.model import NameKind
from sanctions.sources import detect_format, us_bis_dpl, us_csl

SAMPLES = Path(__file__).resolve().parents[2] / "sanctions" / "data" / "samples"
CSL = "us/csl/consolidated_2022-04.csv.gz"
DPL = "us/csl/dpl_2023-11.txt"


@pytest.fixture(scope="module")
def csl(shared_data: Path) -> dict:
    return {e.listing.authority_id: e for e in us_csl.parse(shared_data / CSL)}


def _names(entity, kind):
    return [n.name for n in entity.names if n.kind == kind]


@pytest.mark.slow  # the whole real CSL (14,160 rows; CI runs it)
def test_csl_all_14160_rows_become_14048_parties(shared_data: Path, csl: dict) -> None:
    path = shared_data / CSL
    fmt = detect_format(path)
    assert fmt.name == "us_csl" and fmt.dataset_for(path) == "us_trade_csl"
    assert sum(1 for _ in us_csl.read_rows(path)) == 14160
    assert len(csl) == 14048  # 71 Treasury ids are on two or three lists


@pytest.mark.slow  # the whole real CSL (14,160 rows; CI runs it)
def test_csl_sdn_person_with_year_births_and_aliases(csl: dict) -> None:
    # 26095,...SDN...,Individual,SDGT,"'ABD AL-NASIR, Hajji",,SY,...,"ABDELNASSER, Hajji;
    # ABD AL-NASR, Hajji; AL-KHUWAYT, Taha","",1967; 1966; 1968,IQ,"Tall 'Afar, Iraq",...
    entity = csl["26095"]
    assert entity.id == "us_trade_csl-26095" and entity.schema == "Person"
    assert _names(entity, NameKind.PRIMARY) == ["'ABD AL-NASIR, Hajji"]
    assert _names(entity, NameKind.ALIAS) == [
        "ABDELNASSER, Hajji",
        "ABD AL-NASR, Hajji",
        "AL-KHUWAYT, Taha",
    ]
    assert [(d.value, d.precision) for d in entity.dates] == [
        ("1967", "year"),
        ("1966", "year"),
        ("1968", "year"),
    ]
    assert entity.get("nationality") == ["iq"]
    assert "SDGT" in entity.listing.programs


@pytest.mark.slow  # the whole real CSL (14,160 rows; CI runs it)
def test_csl_party_on_sdn_and_ssi_is_merged(csl: dict) -> None:
    entity = csl["18725"]  # BANCO VTB AFRICA SA: rows from SDN, SSI and CAPTA
    assert entity.caption == "BANCO VTB AFRICA SA"
    programs = entity.listing.programs
    assert "Specially Designated Nationals (SDN) - Treasury Department" in programs
    assert "Sectoral Sanctions Identifications List (SSI) - Treasury Department" in programs
    assert entity.get("swiftBic") == ["VTBLAOLU"] and entity.get("website") == ["www.vtb.ao"]


@pytest.mark.slow  # the whole real CSL (14,160 rows; CI runs it)
def test_csl_gender_and_day_precise_birth(csl: dict) -> None:
    entity = csl["24904"]  # "'ABBAS, Yasir", 1978-08-22, SY, ids "Male, Gender"
    assert entity.get("gender") == ["male"]
    assert [d.value for d in entity.dates] == ["1978-08-22"]


@pytest.fixture(scope="module")
def csl_rows(shared_data: Path) -> list[dict]:
    return [row for _, row in us_csl.read_rows(shared_data / CSL)]


@pytest.mark.slow  # the whole real CSL (14,160 rows; CI runs it)
def test_csl_aircraft_details_reach_their_fields(csl: dict, csl_rows: list[dict]) -> None:
    # 15440: "408, Aircraft Construction Number ...; 23 Feb 1987, Aircraft Manufacture Date;
    #         A300B4-603, Aircraft Model; MAHAN AIR, Aircraft Operator"
    plane = csl["15440"]
    assert plane.schema == "Airplane" and not plane.get("registrationNumber")
    assert plane.get("serialNumber") == ["408"] and plane.get("buildDate") == ["1987-02-23"]
    assert plane.get("model") == ["A300B4-603"] and plane.get("operator") == ["MAHAN AIR"]
    assert csl["34659"].get("country") == ["mm"]  # "Burma, Registration Country"
    # no aircraft fact lands in registrationNumber except the tail number
    tails = {
        t.split(",")[0].strip()
        for row in csl_rows
        for t in (row.get("ids") or "").split(";")
        if "Aircraft Tail Number" in t
    }
    registrations = {
        v for e in csl.values() if e.schema == "Airplane" for v in e.get("registrationNumber")
    }
    assert registrations <= tails


@pytest.mark.slow  # the whole real CSL (14,160 rows; CI runs it)
def test_csl_columns_once_dropped_are_kept(csl: dict, csl_rows: list[dict]) -> None:
    with_tonnage = {r["_id"] for r in csl_rows if r.get("gross_registered_tonnage")}
    assert with_tonnage and all(csl[k].get("grossRegisteredTonnage") for k in with_tonnage)
    for column, label in us_csl.NOTED.items():
        rows = [r for r in csl_rows if r.get(column)]
        assert rows, column
        assert all(f"{label}: {r[column]}" in csl[r["_id"]].get("notes") for r in rows)


@pytest.mark.slow  # the whole real CSL (14,160 rows; CI runs it)
def test_csl_addresses_flags_and_nationalities_are_codes(csl: dict, csl_rows: list[dict]) -> None:
    ending_in_code = [
        (r["_id"], m[1].lower())
        for r in csl_rows
        for address in us_csl.split(r.get("addresses"))
        if (m := re.search(r"(?:^|, )([A-Z]{2})$", address))
    ]
    assert len(ending_in_code) > 17000  # 17,455 addresses; none had a country before
    missing = [
        (eid, code)
        for eid, code in ending_in_code
        if is_country_code(code) and code not in csl[eid].get("country")
    ]
    assert missing == []
    flags = [v for e in csl.values() for p in ("flag", "pastFlags") for v in e.get(p)]
    assert len(flags) > 400 and all(is_country_code(v) for v in flags)
    countries = [
        v for e in csl.values() for p in ("nationality", "citizenship", "country") for v in e.get(p)
    ]
    assert all(is_country_code(v) for v in countries)


def test_dpl_665_rows_grouped_by_denial(shared_data: Path) -> None:
    path = shared_data / DPL
    fmt = detect_format(path)
    assert fmt.name == "us_bis_dpl" and fmt.dataset_for(path) == "us_bis_denied"
    assert sum(1 for _ in us_bis_dpl._rows(path)) == 665
    entities = list(us_bis_dpl.parse(path))
    assert len(entities) == 547
    assert len({e.id for e in entities}) == 547
    # "ABDULAH AL NASSER", two addresses in RICHARDSON, TX, effective 03/04/2002
    [nasser] = [e for e in entities if e.caption == "ABDULAH AL NASSER"]
    assert len(nasser.get("address")) == 2
    assert nasser.listing.listed_on == "2002-03-04"


def test_csl_sample() -> None:
    path = SAMPLES / "us_csl.csv"
    assert detect_format(path).name == "us_csl"
    entities = {e.listing.authority_id: e for e in us_csl.parse(path)}
    assert len(entities) == 4
    person = entities["99001"]
    assert person.get("passportNumber") == ["X1234567"]
    assert [d.value for d in person.dates] == ["1961-07-02", "1962"]
    company = entities["99002"]
    assert "FICTIONAL-DIRECTIVE" in company.listing.programs
    assert company.get("incorporationDate") == ["2001-01-01"]
    assert entities["99003"].get("imoNumber") == ["9999999"]
    institute = entities["0123456789abcdef0123456789abcdef01234567"]
    assert institute.schema == "LegalEntity" and institute.listing.listed_on == "2022-04-07"


def test_dpl_fixture_ids_are_stable(fixtures: Path) -> None:
    [entity] = us_bis_dpl.parse(fixtures / "csl" / "dpl_sample.txt")
    assert entity.listing.authority_id == us_bis_dpl.denial_id(
        "Fictional  exporter inc", "2021-02-03"
    )
    assert len(entity.get("address")) == 2


def test_csl_missing_id_column_is_a_format_error(fixtures: Path) -> None:
    path = fixtures / "csl" / "csl_missing_id.csv"
    with pytest.raises(FormatError) as info:
        list(us_csl.parse(path))
    assert info.value.field == "_id" and info.value.line == 1
    assert str(path) in str(info.value)
