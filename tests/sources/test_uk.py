"""UK lists: OFSI ConList (real 2018 file + fixtures) and FCDO UK Sanctions List (samples)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sanctions.countries import is_country_code
from sanctions.errors import EncodingError, FormatError
from sanctions.model import NameKind, parse_date
from sanctions.sources import detect_format, uk_fcdo, uk_ofsi
from sanctions.sources.uk_documents import read_documents

SAMPLES = Path(__file__).resolve().parents[2] / "sanctions" / "data" / "samples"
CONLIST = "uk/ofsi/ConList_2018-04-13.csv"


@pytest.fixture(scope="module")
def conlist(shared_data: Path) -> dict:
    return {e.listing.authority_id: e for e in uk_ofsi.parse(shared_data / CONLIST)}


def _names(entity, kind):
    return {n.name for n in entity.names if n.kind == kind}


def _dobs(entity):
    return [d for d in entity.dates if d.prop == "birthDate"]


# -- OFSI ConList, real file ------------------------------------------------------


def test_conlist_is_detected_and_dated(shared_data: Path) -> None:
    path = shared_data / CONLIST
    assert detect_format(path).name == "uk_ofsi_csv"
    assert uk_ofsi.published(path) == "2018-04-13"


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_yields_every_group(conlist: dict) -> None:
    assert len(conlist) == 2106
    assert all(e.id == f"gb_hmt_sanctions-{k}" for k, e in conlist.items())
    assert all(any(n.kind == NameKind.PRIMARY for n in e.names) for e in conlist.values())


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_consumes_all_9487_rows(shared_data: Path) -> None:
    rows = list(uk_ofsi._read_rows(shared_data / CONLIST, None))
    assert len(rows) == 9487
    assert len({r["Group ID"] for _, r in rows}) == 2106


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_person_with_year_only_births_qde004(conlist: dict) -> None:
    # Source rows: "AL-QAHTANI,Sheikh,Farooq,...,00/00/1980,...,1) Saudi Arabia 2) Qatar,
    # Passport No: 592667 ...,UN Ref QDe.004. ...,Individual,AKA,...,01/04/2016,...,13349"
    entity = conlist["13349"]
    assert entity.schema == "Person"
    assert "Sheikh Farooq AL-QAHTANI" in _names(entity, NameKind.ALIAS)
    assert _names(entity, NameKind.PRIMARY) == {"Nayef Salam Muhammad Ujaym AL-HABABI"}
    assert sorted(d.value for d in _dobs(entity)) == ["1980", "1981"]
    assert entity.get("passportNumber") == ["592667"]
    assert entity.get("unscId") == ["QDe.004"]
    assert entity.listing.programs == ["The ISIL (Da'esh) and Al-Qaida organisations"]
    assert entity.listing.listed_on == "2016-04-01"
    assert len(entity.get("nationality")) == 2


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_dprk_person_full_dob_and_position(conlist: dict) -> None:
    # "IL,Kim Kyong ,,,,,,01/08/1979,...,Passport No. 836210029,,Foreign Trade Bank deputy
    # chief representative in Libya,...,UN Ref.KPI.067.,Individual,Prime Alias,North Korea ..."
    entity = conlist["13562"]
    assert "Kim Kyong IL" in _names(entity, NameKind.PRIMARY)
    assert [d.value for d in _dobs(entity)] == ["1979-08-01"]
    assert _dobs(entity)[0].precision == "day"
    assert entity.get("passportNumber") == ["836210029"]
    assert entity.get("position") == ["Foreign Trade Bank deputy chief representative in Libya"]
    assert entity.get("unscId") == ["KPI.067"]
    assert entity.listing.listed_on == "2017-12-22"


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_iran_person_unsc_id_and_aliases(conlist: dict) -> None:
    entity = conlist["9002"]  # "SALIMI,Husain ... UN Ref IRi.038,Individual,AKA,Iran (nuclear..."
    assert "Husain SALIMI" in _names(entity, NameKind.ALIAS)
    assert entity.get("unscId") == ["IRi.038"]
    assert entity.listing.programs == ["Iran (nuclear proliferation)"]
    assert entity.listing.listed_on == "2007-02-09"


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_fka_becomes_previous_name(conlist: dict) -> None:
    # "AL-QAIDA IN YEMEN (AQY),...,UN Ref QDe.129. ...,Entity,FKA,...,11044"
    entity = conlist["11044"]
    assert entity.schema == "Organization"
    assert "AL-QAIDA IN YEMEN (AQY)" in _names(entity, NameKind.PREVIOUS)
    assert entity.get("unscId") == ["QDe.129"]


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_un_references_are_clean(conlist: dict) -> None:
    refs = [r for e in conlist.values() for r in e.get("unscId")]
    assert len(refs) > 650
    assert all(not r.endswith(".") and " " not in r for r in refs)


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_decoded_as_utf8_names_file_and_line(shared_data: Path) -> None:
    path = shared_data / CONLIST
    with pytest.raises(EncodingError) as info:
        list(uk_ofsi.parse(path, encoding="utf-8"))
    assert info.value.path == str(path)
    assert info.value.line is not None and info.value.line > 2


# -- OFSI ConList, real file: documents, dates, countries (issue 17) -------------------


@pytest.fixture(scope="module")
def conlist_rows(shared_data: Path) -> list[dict]:
    return [row for _, row in uk_ofsi._read_rows(shared_data / CONLIST, None)]


def _notes(entity, prefix: str) -> list[str]:
    return [n for n in entity.get("notes") if n.startswith(prefix)]


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_document_numbers_are_kept_whole(conlist: dict) -> None:
    assert "3219222002.2181558" in conlist["12037"].get("idNumber")  # was cut at the dot
    assert "842 781" in conlist["11905"].get("passportNumber")  # was lost
    assert "KMMMHD68D03Z352N" in conlist["7220"].get("idNumber")  # "Italian Fiscal Code ..."
    assert conlist["11928"].get("passportNumber") == ["D1903"]  # "D1903 (Diplomatic)"
    uganda = conlist["13344"]
    assert "Uganda Passport." not in uganda.get("passportNumber")
    assert "passportNumber (not understood): Uganda Passport." in uganda.get("notes")


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_document_country_dates_and_name_are_read(conlist: dict) -> None:
    [note] = _notes(conlist["12863"], "passportNumber NC5140251")
    assert "(country pk; issued 2009-10-23; expires 2014-10-22)" in note
    saleh = " ".join(_notes(conlist["13254"], "passportNumber"))
    assert "issued under name Ahmed Ali Abdullah Saleh" in saleh
    assert {"17979", "02117777", "06070777"} <= set(conlist["13254"].get("passportNumber"))
    [note] = _notes(conlist["13287"], "passportNumber 205939411")  # "British passport no.2059..."
    assert "country gb; issued 2004-07-21; expires 2015-04-21" in note


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_every_long_number_of_a_document_text_is_kept(
    conlist: dict, conlist_rows: list[dict]
) -> None:
    lost = []
    for row in conlist_rows:
        entity = conlist[row["Group ID"]]
        for column, prop in (("Passport Details", "passportNumber"), ("NI Number", "idNumber")):
            numbers = " ".join(entity.get(prop))
            kept_as_text = " ".join(_notes(entity, f"{prop} (not understood)"))
            for digits in re.findall(r"\d{6,}", row.get(column) or ""):
                if digits not in numbers and digits not in kept_as_text:
                    lost.append((row["Group ID"], column, digits))
    assert lost == []


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_last_updated_is_the_latest_of_the_rows(
    conlist: dict, conlist_rows: list[dict]
) -> None:
    latest: dict[str, str] = {}
    for row in conlist_rows:
        value = parse_date(row["Last Updated"]).value
        latest[row["Group ID"]] = max(value, latest.get(row["Group ID"], value))
    assert {k: conlist[k].get("modifiedAt") for k in latest} == {k: [v] for k, v in latest.items()}


@pytest.mark.slow  # the whole real 2018 ConList (CI runs it)
def test_conlist_countries_are_codes(conlist: dict, conlist_rows: list[dict]) -> None:
    congolese = {r["Group ID"] for r in conlist_rows if r["Nationality"] == "Congolese"}
    assert congolese and all(conlist[k].get("nationality") == ["cd"] for k in congolese)
    values = [v for e in conlist.values() for p in ("nationality", "country") for v in e.get(p)]
    assert len(values) > 1400 and all(is_country_code(v) for v in values)


# -- OFSI ConList, fixtures and helpers -------------------------------------------


def test_conlist_sample_parses(tmp_path: Path) -> None:
    entities = {e.listing.authority_id: e for e in uk_ofsi.parse(SAMPLES / "uk_ofsi_conlist.csv")}
    person = entities["99001"]
    assert person.get("unscId") == ["XQi.001"]
    assert [d.value for d in _dobs(person)] == ["1961-07"]
    assert person.get("passportNumber") == ["X1234567"]
    assert "OLD FICTIONAL TRADERS" in _names(entities["99002"], NameKind.PREVIOUS)


def test_conlist_2022_format_columns(fixtures: Path) -> None:
    [entity] = uk_ofsi.parse(fixtures / "uk" / "conlist_2022_format.csv")
    assert _names(entity, NameKind.WEAK) == {"Fiktional EKSAMPLOV"}
    [original] = [n for n in entity.names if n.kind == NameKind.ORIGINAL]
    assert original.lang == "Russian" and original.script == "Cyrillic"
    assert [d.value for d in _dobs(entity)] == ["1970"]  # 12/00/1970: day without month dropped
    assert entity.get("passportNumber") == ["X7654321"]


def test_conlist_missing_group_id_column_is_a_format_error(fixtures: Path) -> None:
    path = fixtures / "uk" / "conlist_missing_group_id.csv"
    with pytest.raises(FormatError) as info:
        list(uk_ofsi.parse(path))
    assert info.value.field == "Group ID" and info.value.line == 2
    assert str(path) in str(info.value)


def test_un_reference_extraction_variants() -> None:
    assert uk_ofsi.extract_un_refs("UN REF:QE.A.146.14. Also") == ["QE.A.146.14"]
    assert uk_ofsi.extract_un_refs("UN Ref E.29.I.11. Owned") == ["E.29.I.11"]
    assert uk_ofsi.extract_un_refs("UN Ref KPe.021.Subordinated to") == ["KPe.021"]
    assert uk_ofsi.extract_un_refs("no reference") == []


def test_passport_details_keep_numbers_not_dates() -> None:
    docs = read_documents("(1) A-123456 (Indian) issued on 12/03/2001 (2) 7654321")
    assert [(d.numbers, d.countries, d.issued) for d in docs] == [
        (["A-123456"], ["in"], "2001-03-12"),
        (["7654321"], [], None),
    ]
    assert read_documents("Uganda Passport.")[0].numbers == []


# -- FCDO UK Sanctions List ---------------------------------------------------------


@pytest.mark.parametrize("name", ["uk_fcdo.csv", "uk_fcdo.xml"])
def test_fcdo_samples_parse_alike(name: str) -> None:
    path = SAMPLES / name
    assert detect_format(path).name == "uk_fcdo"
    assert uk_fcdo.published(path) == "2024-03-05"
    entities = {e.listing.authority_id: e for e in uk_fcdo.parse(path)}
    assert set(entities) == {"XFI0001", "XFI0002", "XFI0003"}
    person = entities["XFI0001"]
    assert person.id == "gb_fcdo_sanctions-XFI0001"
    assert _names(person, NameKind.PRIMARY) == {"Fictional Ivanovich EXAMPLOV"}
    assert _names(person, NameKind.WEAK) == {"Fiktional EKSAMPLOV"}
    [original] = [n for n in person.names if n.kind == NameKind.ORIGINAL]
    assert original.name == "ЭКЗАМПЛОВ Фикционал Иванович" and original.lang == "Russian"
    assert [d.value for d in _dobs(person)] == ["1961-07"]
    assert person.get("passportNumber") == ["X1234567"]
    assert person.listing.listed_on == "2022-03-15"
    assert person.listing.programs == ["Fictional Sanctions Regime"]
    company = entities["XFI0002"]
    assert company.get("unscId") == ["XQe.001"]
    assert _names(company, NameKind.ALIAS) == {"FICT TRADING"}
    ship = entities["XFI0003"]
    assert ship.schema == "Vessel" and ship.get("imoNumber") == ["9999999"]
    assert ship.get("owner") == ["FICTIONAL TRADING LLC"]


def test_fcdo_missing_designation_type_is_a_format_error(fixtures: Path) -> None:
    path = fixtures / "uk" / "fcdo_missing_type.csv"
    with pytest.raises(FormatError) as info:
        list(uk_fcdo.parse(path))
    assert info.value.line == 2 and info.value.field == "Designation Type"


def test_fcdo_truncated_xml_names_the_line(tmp_path: Path) -> None:
    text = (SAMPLES / "uk_fcdo.xml").read_text(encoding="utf-8")
    path = tmp_path / "truncated.xml"
    kept = text[: len(text) // 2]
    path.write_text(kept, encoding="utf-8")
    with pytest.raises(FormatError) as info:
        list(uk_fcdo.parse(path))
    assert info.value.line == kept.count("\n") + 1  # the line where the cut file ends


def test_fcdo_is_not_mistaken_for_ofsi(tmp_path: Path) -> None:
    copy = tmp_path / "list.csv"
    shutil.copy(SAMPLES / "uk_fcdo.csv", copy)
    assert not uk_ofsi.detect(copy.read_bytes())
    assert not uk_fcdo.detect((SAMPLES / "uk_ofsi_conlist.csv").read_bytes())
